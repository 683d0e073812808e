#include "gateway/public_pages.h"

#include "common/clock.h"
#include "common/proto_time.h"
#include "gateway/testing/fake_page_source.h"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

class CollectingSink : public SseSink {
 public:
  bool Send(std::shared_ptr<const std::string> frame) override {
    absl::MutexLock lock(&mu_);
    text_ += *frame;
    return true;
  }
  std::string text() {
    absl::MutexLock lock(&mu_);
    return text_;
  }

 private:
  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
};

class PublicPagesTest : public ::testing::Test {
 protected:
  PublicPagesTest() : pages_(PublicPagesOptions(), &source_, &snapshot_, &clock_) {
    absl::MutexLock lock(&source_.mu);
    source_.pages = {TestPage("acme", {"m1", "m2"})};
    source_.monitors = {TestMonitor("m1", "https://a.example/"),
                        TestMonitor("m2", "https://b.example/"),
                        TestMonitor("m3", "https://private.example/")};
    std::map<std::string, MonitorEntry> entries;
    entries["m1"] = TestEntry("m1", v1::STATE_UP, clock_.Now() - absl::Hours(1));
    entries["m2"] = TestEntry("m2", v1::STATE_UP, clock_.Now() - absl::Hours(1));
    entries["m3"] = TestEntry("m3", v1::STATE_DOWN, clock_.Now() - absl::Hours(1));
    snapshot_.Replace(std::move(entries), clock_.Now());
  }

  v1::StateChange Change(const std::string& id, v1::State from, v1::State to) {
    v1::StateChange c;
    c.set_monitor_id(id);
    c.set_from_state(from);
    c.set_to_state(to);
    c.set_cause("secret cause 10.1.2.3");
    ToProto(clock_.Now(), c.mutable_time());
    return c;
  }

  SimulatedClock clock_;
  FakePageSource source_;
  StatusSnapshot snapshot_;
  PublicPages pages_;
};

TEST_F(PublicPagesTest, OnlyMonitorsOnAPageArePublic) {
  ASSERT_TRUE(pages_.RefreshPages().ok());
  EXPECT_TRUE(pages_.HasPage("acme"));
  EXPECT_FALSE(pages_.HasPage("nope"));
  ASSERT_TRUE(pages_.Monitor("m1").has_value());
  EXPECT_EQ(pages_.Monitor("m1")->live.state, v1::STATE_UP);
  EXPECT_EQ(pages_.Monitor("m1")->live.latency_ms, 12.5);
  EXPECT_FALSE(pages_.Monitor("m3").has_value());
  EXPECT_FALSE(pages_.Monitor("zz").has_value());
  EXPECT_EQ(pages_.Events("nope"), nullptr);

  // The page is deleted: its monitors are private again at once.
  {
    absl::MutexLock lock(&source_.mu);
    source_.pages.clear();
  }
  ASSERT_TRUE(pages_.RefreshPages().ok());
  EXPECT_FALSE(pages_.HasPage("acme"));
  EXPECT_FALSE(pages_.Monitor("m1").has_value());
}

TEST_F(PublicPagesTest, DetailsKeepOnlyPublicMonitors) {
  ASSERT_TRUE(pages_.RefreshPages().ok());
  {
    absl::MutexLock lock(&source_.mu);
    source_.incidents = {TestIncident("inc-1", "m2", clock_.Now() - absl::Minutes(1)),
                         TestIncident("inc-3", "m3", clock_.Now() - absl::Minutes(1))};
  }
  ASSERT_TRUE(pages_.RefreshDetails().ok());
  std::optional<PageView> view = pages_.View("acme");
  ASSERT_TRUE(view.has_value());
  ASSERT_EQ(view->incidents.size(), 1u);
  EXPECT_EQ(view->incidents[0].id(), "inc-1");
  EXPECT_EQ(view->info.at("m1").target, "https://a.example/");
  EXPECT_FALSE(view->info.contains("m3"));
  EXPECT_EQ(view->updated_at, clock_.Now());
}

TEST_F(PublicPagesTest, StateChangesReachThePageStreamWithContractFieldsOnly) {
  ASSERT_TRUE(pages_.RefreshPages().ok());
  std::shared_ptr<EventHub> hub = pages_.Events("acme");
  ASSERT_NE(hub, nullptr);
  auto sink = std::make_shared<CollectingSink>();
  hub->Subscribe(sink, LabelSelector(), std::nullopt);
  const uint64_t before = pages_.version();

  clock_.Advance(absl::Seconds(5));
  pages_.OnStateChange(Change("m3", v1::STATE_UP, v1::STATE_DOWN));  // private
  EXPECT_EQ(sink->text(), "");
  pages_.OnStateChange(Change("m2", v1::STATE_UP, v1::STATE_DOWN));
  const std::string text = sink->text();
  EXPECT_NE(text.find("event: state\n"), std::string::npos) << text;
  EXPECT_NE(text.find("data: {\"id\":\"m2\",\"state\":\"down\",\"since\":\"2023-11-14T22:13:25Z\","
                      "\"overall\":\"degraded\"}\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_GT(pages_.version(), before);
  EXPECT_EQ(pages_.Monitor("m2")->live.state, v1::STATE_DOWN);

  // A later snapshot sync with an older state does not undo the change.
  ASSERT_TRUE(pages_.RefreshPages().ok());
  EXPECT_EQ(pages_.Monitor("m2")->live.state, v1::STATE_DOWN);
}

TEST_F(PublicPagesTest, DefinitionChangesAndResyncsTellClientsToRefetch) {
  ASSERT_TRUE(pages_.RefreshPages().ok());
  auto sink = std::make_shared<CollectingSink>();
  pages_.Events("acme")->Subscribe(sink, LabelSelector(), std::nullopt);
  ASSERT_TRUE(pages_.RefreshPages().ok());  // unchanged: nothing
  EXPECT_EQ(sink->text(), "");
  {
    absl::MutexLock lock(&source_.mu);
    source_.pages[0].set_title("Acme, renamed");
  }
  ASSERT_TRUE(pages_.RefreshPages().ok());
  EXPECT_NE(sink->text().find("event: resync\ndata: {}\n"), std::string::npos) << sink->text();
  pages_.OnResync();
  const std::string text = sink->text();
  size_t resyncs = 0;
  for (size_t at = text.find("event: resync\ndata: {}\n"); at != std::string::npos;
       at = text.find("event: resync\ndata: {}\n", at + 1)) {
    ++resyncs;
  }
  EXPECT_EQ(resyncs, 2u) << text;
}

TEST_F(PublicPagesTest, UptimeIsFetchedMissingFirstAndCachedForTheTtl) {
  ASSERT_TRUE(pages_.RefreshPages().ok());
  {
    absl::MutexLock lock(&source_.mu);
    for (const char* id : {"m1", "m2"}) {
      v1::UptimeWindow* w = source_.uptime[id].add_windows();
      w->set_window("30d");
      w->set_checks(10);
    }
  }
  EXPECT_EQ(pages_.RefreshUptime(1), 1u);
  EXPECT_EQ(pages_.RefreshUptime(10), 1u);  // only the other one was missing
  EXPECT_EQ(pages_.RefreshUptime(10), 0u);  // both fresh
  ASSERT_NE(pages_.Monitor("m1")->uptime, nullptr);
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(pages_.RefreshUptime(10), 2u);
  {
    absl::MutexLock lock(&source_.mu);
    EXPECT_EQ(source_.uptime_calls.size(), 4u);
    // A failed fetch is retried after a while, not in a loop.
    source_.fail = absl::UnavailableError("down");
  }
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(pages_.RefreshUptime(10), 2u);
  EXPECT_EQ(pages_.RefreshUptime(10), 0u);
  EXPECT_NE(pages_.Monitor("m1")->uptime, nullptr);  // the old one is kept
  clock_.Advance(absl::Seconds(30));
  {
    absl::MutexLock lock(&source_.mu);
    source_.fail = absl::OkStatus();
    source_.uptime["m1"].mutable_windows(0)->set_checks(0);
  }
  EXPECT_EQ(pages_.RefreshUptime(10), 2u);
  // Without any checks yet (a new monitor) it is asked again soon, too.
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(pages_.RefreshUptime(10), 1u);
}

TEST_F(PublicPagesTest, ThreadsRefreshOnTheirOwn) {
  pages_.Start();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!pages_.HasPage("acme") && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_TRUE(pages_.HasPage("acme"));
  pages_.Stop();
}

}  // namespace
}  // namespace uptime::gateway
