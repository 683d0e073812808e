// Leadership against a real PostgreSQL: a restart is ridden out, a lock
// taken by someone else while the session was gone stops the old leader.
#include "coordinator/server/leadership.h"

#include <atomic>

#include "absl/strings/str_cat.h"
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

  std::unique_ptr<PostgresServer> pg_;
  absl::Mutex mu_;
  std::string stopped_ ABSL_GUARDED_BY(mu_);
};

TEST_F(LeadershipTest, RidesOutAPostgresRestart) {
  Leadership leadership(Options());
  ASSERT_TRUE(leadership.Acquire().ok());
  ASSERT_TRUE(pg_->Restart().ok());
  ASSERT_EVENTUALLY(leadership.HeldNow(), absl::Seconds(10));
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Stopped(), "");
  // A second contender cannot get it: the lock was taken back.
  store::LeaderLock other({.conn = {.dsn = pg_->dsn()}});
  absl::StatusOr<bool> got = other.TryAcquire();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
}

TEST_F(LeadershipTest, StopsWhenAnotherSessionTookTheLock) {
  Leadership leadership(Options());
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
  ASSERT_EVENTUALLY(!Stopped().empty(), absl::Seconds(10));
  EXPECT_NE(Stopped().find("another coordinator"), std::string::npos) << Stopped();
}

TEST_F(LeadershipTest, StopsWhenTheGraceRunsOut) {
  LeadershipOptions options = Options();
  options.grace = absl::Seconds(1);
  Leadership leadership(options);
  ASSERT_TRUE(leadership.Acquire().ok());
  ASSERT_TRUE(pg_->Stop().ok());
  ASSERT_EVENTUALLY(!Stopped().empty(), absl::Seconds(15));
  EXPECT_NE(Stopped().find("within 1s"), std::string::npos) << Stopped();
}

TEST(LeadershipValidateTest, GraceIsBounded) {
  EXPECT_TRUE(Leadership::Validate({.grace = absl::Seconds(7)}).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(Leadership::Validate({.grace = absl::Seconds(30)})));
  EXPECT_TRUE(absl::IsInvalidArgument(Leadership::Validate({.grace = -absl::Seconds(1)})));
}

}  // namespace
}  // namespace uptime::coordinator
