// Leadership against a real PostgreSQL: a restart is ridden out, a lock
// taken by someone else while the session was gone stops the old leader.
// The grace period runs on a SimulatedClock: the tests wait (in real time)
// only for the server and the lock's watcher, and move the clock to the
// deadline instead of sleeping through it.
#include "coordinator/server/leadership.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "store/postgres/pg_conn.h"
#include "tests/support/eventually.h"
#include "tests/support/postgres_server.h"

namespace uptime::coordinator {
namespace {

using testing::PostgresServer;

class LeadershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
  }

  LeadershipOptions Options() {
    LeadershipOptions o;
    o.lock.conn.dsn = pg_->dsn();
    o.lock.check_interval = absl::Milliseconds(100);
    o.fail_stop = [this](const std::string& why) {
      absl::MutexLock lock(&mu_);
      stopped_ = why;
    };
    return o;
  }

  std::string Stopped() {
    absl::MutexLock lock(&mu_);
    return stopped_;
  }

  SimulatedClock clock_;
  std::unique_ptr<PostgresServer> pg_;
  absl::Mutex mu_;
  std::string stopped_ ABSL_GUARDED_BY(mu_);
};

TEST_F(LeadershipTest, RidesOutAPostgresRestart) {
  const LeadershipOptions options = Options();
  Leadership leadership(&clock_, options);
  ASSERT_TRUE(leadership.Acquire().ok());
  ASSERT_TRUE(pg_->Restart().ok());
  ASSERT_EVENTUALLY(leadership.GracePeriodsStarted() == 1, absl::Seconds(10));
  // An attempt made while the server was down waits for the clock to reach
  // its retry: step the clock in pieces far shorter than the grace period.
  auto retook = [&] {
    if (!leadership.InGrace()) return true;
    clock_.Advance(absl::Milliseconds(10));
    return false;
  };
  ASSERT_EVENTUALLY(retook(), absl::Seconds(10));
  EXPECT_EQ(Stopped(), "");
  EXPECT_TRUE(leadership.HeldNow());
  // The deadline passing now changes nothing: the grace period is over.
  clock_.Advance(options.grace);
  EXPECT_EQ(Stopped(), "");
  // A second contender cannot get it: the lock was taken back.
  store::LeaderLock other({.conn = {.dsn = pg_->dsn()}});
  absl::StatusOr<bool> got = other.TryAcquire();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
}

TEST_F(LeadershipTest, StopsWhenAnotherSessionTookTheLock) {
  Leadership leadership(&clock_, Options());
  ASSERT_TRUE(leadership.Acquire().ok());
  auto admin = store::PgConn::Dial({.dsn = pg_->dsn()});
  ASSERT_TRUE(admin.ok()) << admin.status();
  // End the leader's session and take the lock in the same breath, the way
  // a waiting standby would.
  const std::string key = absl::StrCat(store::LeaderLockOptions().key);
  ASSERT_TRUE((*admin)
                  ->Exec(absl::StrCat("SELECT pg_terminate_backend(pid) FROM pg_locks "
                                      "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"), {})
                  .ok());
  ASSERT_TRUE((*admin)->Exec(absl::StrCat("SELECT pg_advisory_lock(", key, ")"), {}).ok());
  // No clock movement: the first attempt finds the lock taken.
  ASSERT_EVENTUALLY(!Stopped().empty(), absl::Seconds(10));
  EXPECT_NE(Stopped().find("another coordinator"), std::string::npos) << Stopped();
}

TEST_F(LeadershipTest, StopsWhenTheGraceRunsOut) {
  LeadershipOptions options = Options();
  options.grace = absl::Seconds(1);
  Leadership leadership(&clock_, options);
  ASSERT_TRUE(leadership.Acquire().ok());
  ASSERT_TRUE(pg_->Stop().ok());
  ASSERT_EVENTUALLY(leadership.GracePeriodsStarted() == 1, absl::Seconds(15));
  // Up to the deadline it keeps leading (and retrying); at it, it stops.
  clock_.Advance(options.grace - absl::Milliseconds(1));
  EXPECT_EQ(Stopped(), "");
  EXPECT_TRUE(leadership.InGrace());
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_NE(Stopped().find("within 1s"), std::string::npos) << Stopped();
  EXPECT_FALSE(leadership.InGrace());
}

TEST_F(LeadershipTest, ZeroGraceStopsAtOnce) {
  LeadershipOptions options = Options();
  options.grace = absl::ZeroDuration();
  Leadership leadership(&clock_, options);
  ASSERT_TRUE(leadership.Acquire().ok());
  ASSERT_TRUE(pg_->Stop().ok());
  ASSERT_EVENTUALLY(!Stopped().empty(), absl::Seconds(15));
  EXPECT_NE(Stopped().find("within 0"), std::string::npos) << Stopped();
}

TEST_F(LeadershipTest, ReleaseEndsAGracePeriodWithoutAStop) {
  Leadership leadership(&clock_, Options());
  ASSERT_TRUE(leadership.Acquire().ok());
  ASSERT_TRUE(pg_->Stop().ok());
  ASSERT_EVENTUALLY(leadership.InGrace(), absl::Seconds(15));
  leadership.Release();
  clock_.Advance(absl::Seconds(10));
  EXPECT_EQ(Stopped(), "");
}

TEST(LeadershipValidateTest, GraceIsBounded) {
  EXPECT_TRUE(Leadership::Validate({.grace = absl::Seconds(7)}).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(Leadership::Validate({.grace = absl::Seconds(30)})));
  EXPECT_TRUE(absl::IsInvalidArgument(Leadership::Validate({.grace = -absl::Seconds(1)})));
}

}  // namespace
}  // namespace uptime::coordinator
