// PgConn / PgPool against a real PostgreSQL: parameters, COPY escaping,
// transactions, error translation, pool limits and re-dialling, and the
// migrations and partitions built on them.
#include "store/postgres/pg_pool.h"

#include <thread>

#include "gtest/gtest.h"
#include "store/postgres/migrations.h"
#include "store/testing/store_test_env.h"
#include "store/postgres/pg_text.h"
#include "tests/support/postgres_server.h"

namespace uptime::testing {
namespace {

using store::PgConn;
using store::PgLease;
using store::PgParam;
using store::PgPool;
using store::PgResult;

class PgPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dsn = FreshDatabase();
    ASSERT_TRUE(dsn.ok()) << dsn.status();
    dsn_ = *dsn;
    pool_ = std::make_unique<PgPool>(store::PgPoolOptions{.conn = {.dsn = dsn_}, .size = 2});
  }

  PgLease Lease() {
    absl::StatusOr<PgLease> lease = pool_->Acquire();
    EXPECT_TRUE(lease.ok()) << lease.status();
    return *std::move(lease);
  }

  std::string dsn_;
  std::unique_ptr<PgPool> pool_;
};

TEST_F(PgPoolTest, ParametersAndResultTypesRoundTrip) {
  const std::string bytes("\0\xff\\x'\"", 6);
  const absl::Time t = absl::FromUnixMicros(1'700'000'000'123'456);
  PgLease lease = Lease();
  absl::StatusOr<PgResult> r = lease->Exec(
      "SELECT $1::text, $2::bytea, $3::bigint, $4::boolean, uptime_us($5::timestamptz), "
      "$6::text IS NULL, 2.5::float8",
      {PgParam::Text("it's \"x\""), PgParam::Bytes(bytes), PgParam::Int(-42), PgParam::Bool(true),
       PgParam::Time(t), PgParam::Null()});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Text(0, 0), "it's \"x\"");
  EXPECT_EQ(r->Bytes(0, 1), bytes);
  EXPECT_EQ(r->Int(0, 2), -42);
  EXPECT_TRUE(r->Bool(0, 3));
  EXPECT_EQ(r->MicrosTime(0, 4), t);
  EXPECT_TRUE(r->Bool(0, 5));
  EXPECT_DOUBLE_EQ(r->Double(0, 6), 2.5);
}

TEST_F(PgPoolTest, CopyEscapesEverythingTextFormatTreatsSpecially) {
  PgLease lease = Lease();
  ASSERT_TRUE(lease->ExecScript("CREATE TABLE t (i int, s text, n text)").ok());
  const std::vector<std::string> values = {
      "tab\there", "line\nbreak", "cr\rreturn", "back\\slash", "\\N", "ünï ✓",
      std::string("nul\0byte", 8), "bad \xff utf8 \xc3", "{\"json\": 1}"};
  std::string data;
  for (size_t i = 0; i < values.size(); ++i) {
    store::AppendCopyInt(data, static_cast<int64_t>(i));
    store::AppendCopyField(data, values[i]);
    store::AppendCopyNull(data);
    store::EndCopyRow(data);
  }
  absl::Status copied = lease->CopyIn("COPY t (i, s, n) FROM STDIN", data);
  ASSERT_TRUE(copied.ok()) << copied;
  absl::StatusOr<PgResult> r = lease->Exec("SELECT s, n IS NULL FROM t ORDER BY i");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows(), static_cast<int>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(r->Text(i, 0), store::SanitizeUtf8(values[i])) << i;
    EXPECT_TRUE(r->Bool(i, 1));
  }
  // A bad row fails the COPY cleanly and leaves the connection usable.
  EXPECT_FALSE(lease->CopyIn("COPY t (i, s, n) FROM STDIN", "not-a-number\tx\ty\n").ok());
  EXPECT_TRUE(lease->Exec("SELECT 1").ok());
}

TEST_F(PgPoolTest, TransactionsCommitOrRollBack) {
  ASSERT_TRUE(Lease()->ExecScript("CREATE TABLE t (i int PRIMARY KEY)").ok());
  EXPECT_TRUE(pool_->InTransaction([](PgConn& tx) {
    return tx.Exec("INSERT INTO t VALUES (1)").status();
  }).ok());
  absl::Status failed = pool_->InTransaction([](PgConn& tx) -> absl::Status {
    EXPECT_TRUE(tx.Exec("INSERT INTO t VALUES (2)").ok());
    return absl::InternalError("changed my mind");
  });
  EXPECT_EQ(failed.message(), "changed my mind");
  // A body that swallows a failed statement must not report success.
  absl::Status swallowed = pool_->InTransaction([](PgConn& tx) {
    EXPECT_FALSE(tx.Exec("INSERT INTO t VALUES (1)").ok());
    return absl::OkStatus();
  });
  EXPECT_TRUE(absl::IsAborted(swallowed)) << swallowed;
  absl::StatusOr<PgResult> r = Lease()->Exec("SELECT count(*) FROM t");
  EXPECT_EQ(r->Int(0, 0), 1);
}

TEST_F(PgPoolTest, ErrorsAreTranslatedBySqlState) {
  PgLease lease = Lease();
  ASSERT_TRUE(lease->ExecScript("CREATE TABLE t (i int CONSTRAINT t_i_key UNIQUE)").ok());
  ASSERT_TRUE(lease->Exec("INSERT INTO t VALUES (1)").ok());
  absl::Status dup = lease->Exec("INSERT INTO t VALUES (1)").status();
  EXPECT_TRUE(absl::IsAlreadyExists(dup)) << dup;
  EXPECT_EQ(store::PgSqlState(dup), "23505");
  EXPECT_EQ(store::PgConstraint(dup), "t_i_key");
  EXPECT_TRUE(absl::IsInvalidArgument(lease->Exec("SELECT 'x'::int").status()));
  EXPECT_EQ(lease->Exec("SELEKT 1").status().code(), absl::StatusCode::kInternal);

  PgPool slow({.conn = {.dsn = dsn_, .statement_timeout = absl::Milliseconds(100)}, .size = 1});
  absl::StatusOr<PgLease> slow_lease = slow.Acquire();
  ASSERT_TRUE(slow_lease.ok());
  absl::Status timeout = (*slow_lease)->Exec("SELECT pg_sleep(2)").status();
  EXPECT_TRUE(absl::IsDeadlineExceeded(timeout)) << timeout;
}

TEST_F(PgPoolTest, AcquireWaitsThenTimesOutWhenAllLeased) {
  PgPool pool({.conn = {.dsn = dsn_}, .size = 1, .acquire_timeout = absl::Milliseconds(200)});
  std::optional<PgLease> held(*pool.Acquire());
  absl::StatusOr<PgLease> second = pool.Acquire();
  EXPECT_TRUE(absl::IsDeadlineExceeded(second.status())) << second.status();

  std::thread releaser([&] {
    absl::SleepFor(absl::Milliseconds(50));
    held.reset();
  });
  absl::StatusOr<PgLease> third = pool.Acquire();
  releaser.join();
  EXPECT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(pool.open_connections(), 1);
}

TEST(PgPoolNoServerTest, UnreachableServerIsUnavailable) {
  PgPool pool({.conn = {.dsn = "host=127.0.0.1 port=1 user=uptime dbname=uptime"}});
  absl::StatusOr<PgLease> lease = pool.Acquire();
  EXPECT_TRUE(absl::IsUnavailable(lease.status())) << lease.status();
  EXPECT_EQ(pool.open_connections(), 0);
}

TEST(PgPoolRestartTest, StaleConnectionsAreRedialledAfterRestart) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  PgPool pool({.conn = {.dsn = (*pg)->dsn()}, .size = 2});
  ASSERT_TRUE((*pool.Acquire())->Exec("SELECT 1").ok());

  ASSERT_TRUE((*pg)->Stop().ok());
  absl::StatusOr<PgLease> down = pool.Acquire();
  EXPECT_TRUE(absl::IsUnavailable(down.status())) << down.status();
  ASSERT_TRUE((*pg)->StartAgain().ok());
  // The first statement after the restart succeeds: the dead idle
  // connection was noticed and replaced before being handed out.
  absl::StatusOr<PgLease> lease = pool.Acquire();
  ASSERT_TRUE(lease.ok()) << lease.status();
  absl::Status first = (*lease)->Exec("SELECT 1").status();
  EXPECT_TRUE(first.ok()) << first;
}

TEST(MigrationsTest, ApplyOnceConcurrentlyThenIdempotent) {
  absl::StatusOr<std::string> dsn = FreshDatabase(/*migrated=*/false);
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  const int latest = store::AllMigrations().back().version;
  std::vector<absl::StatusOr<int>> versions(3, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (auto& version : versions) {
    threads.emplace_back([&] {
      PgPool pool({.conn = {.dsn = *dsn}, .size = 1});
      version = store::ApplyMigrations(pool);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& v : versions) {
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, latest);
  }
  PgPool pool({.conn = {.dsn = *dsn}, .size = 1});
  absl::StatusOr<PgResult> rows = (*pool.Acquire())->Exec("SELECT count(*) FROM schema_migrations");
  EXPECT_EQ(rows->Int(0, 0), static_cast<int64_t>(store::AllMigrations().size()));

  ASSERT_TRUE((*pool.Acquire())->ExecScript("INSERT INTO schema_migrations VALUES (9999, 'future')").ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store::ApplyMigrations(pool).status()));
}

TEST_F(PgPoolTest, PartitionsAreCreatedAheadAndDroppedWhole) {
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2024, 5, 31, 23, 0, 0), absl::UTCTimeZone());
  ASSERT_TRUE(store::EnsurePartitions(*pool_, now).ok());
  ASSERT_TRUE(store::EnsurePartitions(*pool_, now).ok());  // idempotent
  auto partitions = [&] {
    absl::StatusOr<PgResult> r = Lease()->Exec(
        "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'results'::regclass");
    return std::string(r->Text(0, 0));
  };
  EXPECT_EQ(partitions(), "results_20240531,results_20240601,results_20240602");

  absl::StatusOr<std::vector<std::string>> dropped =
      store::DropPartitionsOlderThan(*pool_, now + absl::Hours(26), 1);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(*dropped, (std::vector<std::string>{"results_20240531"}));
  EXPECT_EQ(partitions(), "results_20240601,results_20240602");
}

}  // namespace
}  // namespace uptime::testing
