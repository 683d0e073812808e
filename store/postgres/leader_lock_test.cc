// LeaderLock against a real PostgreSQL: exclusivity, hand-over on release,
// and loss detection plus takeover when the server restarts.
#include "store/postgres/leader_lock.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/eventually.h"
#include "tests/support/postgres_server.h"

namespace uptime::testing {
namespace {

using store::LeaderLock;
using store::LeaderLockOptions;

class LeaderLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
  }

  LeaderLockOptions Options() {
    return {.conn = {.dsn = pg_->dsn(), .connect_timeout = absl::Seconds(2)},
            .poll_interval = absl::Milliseconds(100),
            .check_interval = absl::Milliseconds(200)};
  }

  std::unique_ptr<PostgresServer> pg_;
};

TEST_F(LeaderLockTest, OnlyOneHoldsAndReleaseHandsOver) {
  LeaderLock a(Options());
  LeaderLock b(Options());
  absl::StatusOr<bool> got_a = a.TryAcquire();
  ASSERT_TRUE(got_a.ok()) << got_a.status();
  EXPECT_TRUE(*got_a);
  EXPECT_TRUE(*a.TryAcquire());  // already held: still true
  EXPECT_FALSE(*b.TryAcquire());
  EXPECT_TRUE(a.HeldNow());
  EXPECT_FALSE(b.HeldNow());
  absl::Status timed_out = b.AcquireBlocking(absl::Now() + absl::Milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(timed_out)) << timed_out;

  std::thread waiter([&] { EXPECT_TRUE(b.AcquireBlocking(absl::Now() + absl::Seconds(10)).ok()); });
  absl::SleepFor(absl::Milliseconds(200));
  const absl::Time released = absl::Now();
  a.Release();
  waiter.join();
  EXPECT_LT(absl::Now() - released, absl::Seconds(3));
  EXPECT_TRUE(b.HeldNow());
  EXPECT_FALSE(a.HeldNow());
  EXPECT_FALSE(*a.TryAcquire());
}

TEST_F(LeaderLockTest, RestartReportsLossOnceAndTheStandbyTakesOver) {
  std::atomic<int> losses{0};
  LeaderLock leader(Options(), [&] { losses++; });
  LeaderLock standby(Options());
  ASSERT_TRUE(*leader.TryAcquire());

  absl::Status standby_result = absl::UnknownError("not finished");
  std::atomic<bool> standby_done{false};
  std::thread waiter([&] {
    standby_result = standby.AcquireBlocking(absl::Now() + absl::Seconds(20));
    standby_done = true;
  });
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_FALSE(standby_done);

  ASSERT_TRUE(pg_->Restart().ok());
  ASSERT_EVENTUALLY(losses.load() == 1, absl::Seconds(3));
  EXPECT_FALSE(leader.HeldNow());
  ASSERT_EVENTUALLY(standby_done.load(), absl::Seconds(5));
  waiter.join();
  EXPECT_TRUE(standby_result.ok()) << standby_result;
  EXPECT_TRUE(standby.HeldNow());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(losses.load(), 1);  // once, not per check
  // The old leader may try again, but the standby now holds the lock.
  absl::StatusOr<bool> retry = leader.TryAcquire();
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(*retry);
}

TEST(LeaderLockNoServerTest, UnreachableServerIsUnavailable) {
  LeaderLock lock({.conn = {.dsn = "host=127.0.0.1 port=1 user=uptime dbname=uptime"}});
  EXPECT_TRUE(absl::IsUnavailable(lock.TryAcquire().status()));
  absl::Status blocked = lock.AcquireBlocking(absl::Now() + absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsDeadlineExceeded(blocked)) << blocked;
  EXPECT_NE(blocked.message().find("cannot connect"), absl::string_view::npos) << blocked;
}

}  // namespace
}  // namespace uptime::testing
