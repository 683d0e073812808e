// DnsChannels on a small poll() loop of the test's own, against in-test DNS
// responders: channel reuse and its cap, dropped lookups, c-ares timeouts
// driven by the loop's timer.
#include "agents/checkers/dns_channels.h"

#include <arpa/nameser.h>
#include <poll.h>
#include <sys/epoll.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/dns_responder.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

// The part of the engine's loop DnsChannels uses: polls the descriptors it
// watches and runs its timer.
class PollLoop : public LoopIo {
 public:
  explicit PollLoop(DnsChannelsOptions options = {})
      : dns_(std::make_unique<DnsChannels>(this, std::move(options))) {}

  void Watch(int, uint32_t, LoopCheck*) override {}
  void WatchForService(int fd, uint32_t events, LoopService*) override {
    if (events == 0) {
      fds_.erase(fd);
    } else {
      fds_[fd] = events;
    }
  }
  void Touch(LoopCheck*) override {}
  std::shared_ptr<LoopMailbox> mailbox() override { return nullptr; }
  DnsChannels& dns() override { return *dns_; }

  // Runs until `done()`; false if `timeout` passed first.
  bool RunUntil(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!done()) {
      const absl::Time now = absl::Now();
      if (now >= deadline) return false;
      if (dns_->next_timer() <= now) dns_->OnTimer(now);
      std::vector<pollfd> polled;
      for (const auto& [fd, events] : fds_) {
        polled.push_back(pollfd{fd, static_cast<short>(((events & EPOLLIN) ? POLLIN : 0) |
                                                       ((events & EPOLLOUT) ? POLLOUT : 0)),
                                0});
      }
      const absl::Duration wait =
          std::clamp(dns_->next_timer() - absl::Now(), absl::ZeroDuration(), absl::Milliseconds(20));
      poll(polled.data(), polled.size(), static_cast<int>(absl::ToInt64Milliseconds(wait)));
      for (const pollfd& p : polled) {
        if (p.revents == 0 || !fds_.contains(p.fd)) continue;
        uint32_t events = 0;
        if (p.revents & POLLIN) events |= EPOLLIN;
        if (p.revents & POLLOUT) events |= EPOLLOUT;
        if (p.revents & POLLERR) events |= EPOLLERR;
        if (p.revents & POLLHUP) events |= EPOLLHUP;
        dns_->OnFd(p.fd, events);
      }
    }
    return true;
  }

  // Before the members: DnsChannels unwatches through this.
  ~PollLoop() override { dns_.reset(); }

 private:
  std::map<int, uint32_t> fds_;
  std::unique_ptr<DnsChannels> dns_;
};

DnsChannelsOptions WithMaxChannels(size_t n) {
  DnsChannelsOptions options;
  options.max_channels = n;
  return options;
}

std::string At(const DnsResponder& responder) { return absl::StrCat("127.0.0.1:", responder.port()); }

struct Answer {
  bool called = false;
  int status = -1;
};

DnsChannels::QueryCallback Into(Answer* answer) {
  return [answer](int status, const unsigned char*, int) {
    answer->called = true;
    answer->status = status;
  };
}

TEST(DnsChannelsTest, ChannelsAreReusedAndTheLeastRecentlyUsedIdleOneGoes) {
  std::vector<std::unique_ptr<DnsResponder>> resolvers;
  for (int i = 0; i < 3; ++i) {
    resolvers.push_back(DnsResponder::Start({{{"web.test", ns_t_a}, {"10.0.0.1"}}}));
    ASSERT_NE(resolvers.back(), nullptr);
  }
  PollLoop loop(WithMaxChannels(2));
  auto ask = [&](const DnsResponder& resolver) {
    Answer answer;
    absl::StatusOr<DnsLookup> lookup = loop.dns().Query(At(resolver), "web.test", ns_t_a, Into(&answer));
    ASSERT_TRUE(lookup.ok()) << lookup.status();
    ASSERT_TRUE(loop.RunUntil([&] { return answer.called; }));
    EXPECT_EQ(answer.status, ARES_SUCCESS);
    EXPECT_LE(loop.dns().channel_count(), 2u);
  };
  ask(*resolvers[0]);
  ask(*resolvers[1]);
  EXPECT_EQ(loop.dns().channels_created(), 2);
  ask(*resolvers[0]);  // reused: resolver 1 is now the least recently used
  EXPECT_EQ(loop.dns().channels_created(), 2);
  ask(*resolvers[2]);  // evicts resolver 1's channel
  EXPECT_EQ(loop.dns().channels_created(), 3);
  ask(*resolvers[0]);  // still there
  EXPECT_EQ(loop.dns().channels_created(), 3);
  ask(*resolvers[1]);  // set up again
  EXPECT_EQ(loop.dns().channels_created(), 4);
  EXPECT_EQ(loop.dns().channel_count(), 2u);
}

TEST(DnsChannelsTest, BusyChannelsAreNotEvictedButTrimmedOnceIdle) {
  std::vector<std::unique_ptr<DnsResponder>> resolvers;
  for (int i = 0; i < 3; ++i) {
    resolvers.push_back(DnsResponder::Start({{{"slow.web.test", ns_t_a}, {"10.0.0.1"}}}));
    ASSERT_NE(resolvers.back(), nullptr);
  }
  PollLoop loop(WithMaxChannels(2));
  std::vector<Answer> answers(3);
  std::vector<DnsLookup> lookups;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<DnsLookup> lookup =
        loop.dns().Query(At(*resolvers[i]), "slow.web.test", ns_t_a, Into(&answers[i]));
    ASSERT_TRUE(lookup.ok()) << lookup.status();
    lookups.push_back(std::move(*lookup));
  }
  // Evicting a busy channel would fail its lookups: one over the cap instead.
  EXPECT_EQ(loop.dns().channel_count(), 3u);
  ASSERT_TRUE(loop.RunUntil([&] { return answers[0].called && answers[1].called && answers[2].called; }));
  for (const Answer& a : answers) EXPECT_EQ(a.status, ARES_SUCCESS);
  EXPECT_LE(loop.dns().channel_count(), 2u);
}

TEST(DnsChannelsTest, ADroppedLookupNeverCallsBack) {
  auto resolver = DnsResponder::Start({{{"slow.web.test", ns_t_a}, {"10.0.0.1"}}});
  ASSERT_NE(resolver, nullptr);
  PollLoop loop;
  Answer dropped, kept;
  {
    absl::StatusOr<DnsLookup> lookup =
        loop.dns().Query(At(*resolver), "slow.web.test", ns_t_a, Into(&dropped));
    ASSERT_TRUE(lookup.ok());
  }  // gone before its answer
  absl::StatusOr<DnsLookup> lookup = loop.dns().Query(At(*resolver), "slow.web.test", ns_t_a, Into(&kept));
  ASSERT_TRUE(lookup.ok());
  Answer cancelled;
  absl::StatusOr<DnsLookup> other =
      loop.dns().Query(At(*resolver), "slow.web.test", ns_t_a, Into(&cancelled));
  ASSERT_TRUE(other.ok());
  other->Cancel();
  EXPECT_FALSE(other->pending());
  // All three were answered (they went out together); only one is told.
  ASSERT_TRUE(loop.RunUntil([&] { return kept.called; }));
  loop.RunUntil([] { return false; }, absl::Milliseconds(200));
  EXPECT_EQ(kept.status, ARES_SUCCESS);
  EXPECT_FALSE(lookup->pending());
  EXPECT_FALSE(dropped.called);
  EXPECT_FALSE(cancelled.called);
  EXPECT_EQ(resolver->queries(), 3);
}

TEST(DnsChannelsTest, CaresTimeoutsRunOnTheLoopTimer) {
  auto resolver = DnsResponder::Start({});
  ASSERT_NE(resolver, nullptr);
  DnsChannelsOptions options;
  options.try_timeout = absl::Milliseconds(100);
  options.tries = 2;
  PollLoop loop(options);
  Answer answer;
  const absl::Time begin = absl::Now();
  absl::StatusOr<DnsLookup> lookup =
      loop.dns().Query(At(*resolver), "silent.test", ns_t_a, Into(&answer));
  ASSERT_TRUE(lookup.ok());
  EXPECT_LE(loop.dns().next_timer(), begin + absl::Milliseconds(150));
  ASSERT_TRUE(loop.RunUntil([&] { return answer.called; }));
  EXPECT_EQ(answer.status, ARES_ETIMEOUT);
  // 100 ms, then 200 ms for the retransmit.
  EXPECT_LT(absl::Now() - begin, absl::Seconds(1));
  EXPECT_EQ(resolver->queries(), 2);
  EXPECT_EQ(loop.dns().next_timer(), absl::InfiniteFuture());
}

TEST(DnsChannelsTest, BadResolverIsInvalidArgument) {
  PollLoop loop;
  Answer answer;
  absl::StatusOr<DnsLookup> lookup = loop.dns().Query("not a resolver", "web.test", ns_t_a, Into(&answer));
  EXPECT_EQ(lookup.status().code(), absl::StatusCode::kInvalidArgument) << lookup.status();
  EXPECT_EQ(loop.dns().channel_count(), 0u);
}

}  // namespace
}  // namespace uptime::agent
