// The audit log in PostgreSQL (table `audit_events`, migration 5), as
// functions on a connection so that every store can write a change and its
// record in one transaction: the caller runs the change and
// InsertAuditEvent on the same connection between BEGIN and COMMIT.
//
// Example:
//   RETURN_IF_ERROR(pool->InTransaction([&](PgConn& tx) -> absl::Status {
//     RETURN_IF_ERROR(tx.Exec("UPDATE monitors ...", params).status());
//     return InsertAuditEvent(tx, audit).status();
//   }));
//
// Thread-safety: as PgConn (one thread per connection at a time).
#ifndef UPTIME_STORE_POSTGRES_PG_AUDIT_H_
#define UPTIME_STORE_POSTGRES_PG_AUDIT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "store/account_store.h"
#include "store/postgres/pg_conn.h"
#include "uptime/v1/audit.pb.h"

namespace uptime::store {

// Appends `event` (its `id` ignored) and returns the id the log assigned.
// Text that PostgreSQL cannot hold (NUL, invalid UTF-8) is replaced rather
// than refused: a record must never be the reason a change fails.
absl::StatusOr<int64_t> InsertAuditEvent(PgConn& conn, const v1::AuditEvent& event);

// One page of the log, newest first, as AccountStore::ListAudit.
absl::StatusOr<AuditPage> ListAuditEvents(PgConn& conn, const AuditQuery& query);

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_AUDIT_H_
