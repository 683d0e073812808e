// The PostgreSQL schema: versioned migrations applied at start, and the daily
// partitions of the raw results table.
//
// Migrations run in order, each in its own transaction together with its row
// in `schema_migrations`, while the session holds pg_advisory_lock so that a
// leader and a standby starting together do not race. A migration, once
// released, is never edited: add a new one.
//
// Results are partitioned by day (UTC) so retention drops whole partitions
// instead of deleting rows one by one.
//
// Example:
//   PgPool pool({.conn = {.dsn = dsn}});
//   ASSIGN_OR_RETURN(int version, ApplyMigrations(pool));
//   RETURN_IF_ERROR(EnsurePartitions(pool, clock->Now()));
#ifndef UPTIME_STORE_POSTGRES_MIGRATIONS_H_
#define UPTIME_STORE_POSTGRES_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "store/postgres/pg_pool.h"

namespace uptime::store {

struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

// Every migration, in increasing version order (migrations_sql.cc).
absl::Span<const Migration> AllMigrations();

// Applies the migrations not yet recorded and returns the schema version now
// in effect. FAILED_PRECONDITION if the database has a version newer than
// this binary knows (an old binary must not run against a newer schema).
absl::StatusOr<int> ApplyMigrations(PgPool& pool);

// "results_20240102" for the partition holding `day` (any time in that UTC
// day).
std::string ResultPartitionName(absl::Time day);

// Creates the results partitions for the UTC days today .. today+2, if
// missing, so writes around midnight never find a day without a partition.
absl::Status EnsurePartitions(PgPool& pool, absl::Time now);

// Creates the partition for the UTC day holding `day` if missing, on `conn`
// (outside any transaction of the caller's).
absl::Status EnsurePartition(PgConn& conn, absl::Time day);

// Drops every results partition whose whole day ended before now - days.
// Returns the names dropped.
absl::StatusOr<std::vector<std::string>> DropPartitionsOlderThan(PgPool& pool, absl::Time now,
                                                                 int days);

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_MIGRATIONS_H_
