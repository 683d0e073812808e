#include "store/postgres/migrations.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/postgres/pg_text.h"

namespace uptime::store {
namespace {

// Arbitrary but fixed advisory lock keys ("uptmigr" / "uptpart" in ASCII), distinct from the
// leader lock's.
constexpr int64_t kMigrationLockKey = 0x7570746d696772;
constexpr int64_t kPartitionLockKey = 0x75707470617274;

absl::Time StartOfDay(absl::Time t) {
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  return absl::FromCivil(day, absl::UTCTimeZone());
}

absl::StatusOr<int> RunPending(PgConn& conn) {
  RETURN_IF_ERROR(conn.ExecScript(R"sql(
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      ))sql"));
  ASSIGN_OR_RETURN(PgResult applied, conn.Exec("SELECT version FROM schema_migrations"));
  std::set<int> done;
  for (int i = 0; i < applied.rows(); ++i) done.insert(static_cast<int>(applied.Int(i, 0)));

  const absl::Span<const Migration> all = AllMigrations();
  const int known = all.empty() ? 0 : all.back().version;
  if (!done.empty() && *done.rbegin() > known) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema is at version ", *done.rbegin(),
                     " but this binary knows only up to ", known, ": upgrade the binary"));
  }
  for (const Migration& m : all) {
    if (done.contains(m.version)) continue;
    absl::Status status = InTransaction(conn, [&](PgConn& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.ExecScript(std::string(m.sql)));
      return tx
          .Exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                {PgParam::Int(m.version), PgParam::Text(std::string(m.name))})
          .status();
    });
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("migration ", m.version, " (", m.name,
                                                      ") failed: ", status.message()));
    }
  }
  return known;
}

}  // namespace

absl::StatusOr<int> ApplyMigrations(PgPool& pool) {
  ASSIGN_OR_RETURN(PgLease lease, pool.Acquire());
  // Session lock: held across the per-migration transactions. If this
  // process dies, the session ends and the lock with it.
  RETURN_IF_ERROR(lease->ExecScript(absl::StrCat("SELECT pg_advisory_lock(", kMigrationLockKey, ")")));
  absl::StatusOr<int> version = RunPending(*lease);
  absl::Status unlocked =
      lease->ExecScript(absl::StrCat("SELECT pg_advisory_unlock(", kMigrationLockKey, ")"));
  if (!version.ok()) return version.status();
  RETURN_IF_ERROR(unlocked);
  return version;
}

std::string ResultPartitionName(absl::Time day) {
  return absl::FormatTime("results_%Y%m%d", day, absl::UTCTimeZone());
}

absl::Status EnsurePartition(PgConn& conn, absl::Time day) {
  const absl::Time start = StartOfDay(day);
  const absl::Time end = start + absl::Hours(24);
  // Under a transaction-scoped advisory lock so that two writers creating
  // the same day serialize instead of one failing on the catalog.
  return InTransaction(conn, [&](PgConn& tx) -> absl::Status {
    RETURN_IF_ERROR(
        tx.ExecScript(absl::StrCat("SELECT pg_advisory_xact_lock(", kPartitionLockKey, ")")));
    return tx.ExecScript(absl::StrCat("CREATE TABLE IF NOT EXISTS ", ResultPartitionName(start),
                                      " PARTITION OF results FOR VALUES FROM ('", PgTime(start),
                                      "') TO ('", PgTime(end), "')"));
  });
}

absl::Status EnsurePartitions(PgPool& pool, absl::Time now) {
  ASSIGN_OR_RETURN(PgLease lease, pool.Acquire());
  for (int d = 0; d <= 2; ++d) RETURN_IF_ERROR(EnsurePartition(*lease, now + absl::Hours(24 * d)));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> DropPartitionsOlderThan(PgPool& pool, absl::Time now,
                                                                 int days) {
  if (days < 1) return absl::InvalidArgumentError("raw result retention must be at least 1 day");
  // A partition whose day starts before this one ended before now - days.
  const std::string keep_from = ResultPartitionName(StartOfDay(now - absl::Hours(24 * days)));
  ASSIGN_OR_RETURN(PgLease lease, pool.Acquire());
  ASSIGN_OR_RETURN(PgResult parts, lease->Exec(R"sql(
      SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'results'::regclass ORDER BY c.relname)sql"));
  std::vector<std::string> dropped;
  for (int i = 0; i < parts.rows(); ++i) {
    const std::string name(parts.Text(i, 0));
    // Names are results_YYYYMMDD, so they sort by day.
    if (!absl::StartsWith(name, "results_") || name.size() != keep_from.size() ||
        name >= keep_from) {
      continue;
    }
    RETURN_IF_ERROR(lease->ExecScript(absl::StrCat("DROP TABLE IF EXISTS ", name)));
    dropped.push_back(name);
  }
  return dropped;
}

}  // namespace uptime::store
