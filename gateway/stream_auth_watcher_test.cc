#include "gateway/stream_auth_watcher.h"

#include <map>

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

class FakeSink : public SseSink {
 public:
  bool Send(std::shared_ptr<const std::string>) override { return true; }
  void Disconnect() override { ++disconnects; }
  int disconnects = 0;
};

class StreamAuthWatcherTest : public ::testing::Test {
 protected:
  StreamAuthWatcherTest()
      : watcher_(&clock_, absl::Milliseconds(500),
                 [this](const std::string& authorization, std::function<void(absl::Status)> done) {
                   ++checks_[authorization];
                   done(answers_.contains(authorization) ? answers_[authorization]
                                                         : absl::OkStatus());
                 }) {}

  SimulatedClock clock_;
  std::map<std::string, absl::Status> answers_;
  std::map<std::string, int> checks_;
  StreamAuthWatcher watcher_;
};

TEST_F(StreamAuthWatcherTest, EndsTheStreamsOfARevokedCredential) {
  auto a1 = std::make_shared<FakeSink>();
  auto a2 = std::make_shared<FakeSink>();
  auto b = std::make_shared<FakeSink>();
  watcher_.Add("Bearer a", a1);
  watcher_.Add("Bearer a", a2);
  watcher_.Add("Bearer b", b);
  clock_.Advance(absl::Milliseconds(500));
  // One check per credential, not per stream.
  EXPECT_EQ(checks_["Bearer a"], 1);
  EXPECT_EQ(checks_["Bearer b"], 1);
  EXPECT_EQ(a1->disconnects + a2->disconnects + b->disconnects, 0);

  answers_["Bearer a"] = absl::UnauthenticatedError("revoked");
  clock_.Advance(absl::Milliseconds(500));
  EXPECT_EQ(a1->disconnects, 1);
  EXPECT_EQ(a2->disconnects, 1);
  EXPECT_EQ(b->disconnects, 0);
  EXPECT_EQ(watcher_.streams(), 1u);

  answers_["Bearer b"] = absl::PermissionDeniedError("demoted");
  clock_.Advance(absl::Milliseconds(500));
  EXPECT_EQ(b->disconnects, 1);
  EXPECT_EQ(watcher_.streams(), 0u);
}

TEST_F(StreamAuthWatcherTest, KeepsStreamsWhenTheCoordinatorIsAway) {
  auto s = std::make_shared<FakeSink>();
  watcher_.Add("Bearer a", s);
  answers_["Bearer a"] = absl::UnavailableError("no coordinator");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(s->disconnects, 0);
  EXPECT_EQ(checks_["Bearer a"], 4);
}

TEST_F(StreamAuthWatcherTest, StopsCheckingWhenNoStreamIsOpen) {
  auto s = std::make_shared<FakeSink>();
  const uint64_t id = watcher_.Add("Bearer a", s);
  watcher_.Remove(id);
  clock_.Advance(absl::Seconds(5));
  EXPECT_LE(checks_["Bearer a"], 0);
  // A stream whose client already went is forgotten as well.
  watcher_.Add("Bearer gone", std::make_shared<FakeSink>());
  answers_["Bearer gone"] = absl::UnauthenticatedError("x");
  clock_.Advance(absl::Milliseconds(500));
  EXPECT_EQ(watcher_.streams(), 0u);
}

}  // namespace
}  // namespace uptime::gateway
