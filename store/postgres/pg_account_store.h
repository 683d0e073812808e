// AccountStore on PostgreSQL: tables `users`, `api_keys`, `sessions` and
// `audit_events` (migration 5 in migrations_sql.cc).
//
// Every audited write runs in one transaction with its audit row
// (pg_audit.h), so a rolled-back change leaves no record and a record never
// outlives a change that failed. Users and keys keep their whole serialized
// message in `spec`, which is what the coordinator loads; the other columns
// mirror it for SQL. The unique index on lower(username), the hash
// constraints and the foreign keys to `users` are the last word on
// collisions and on writes for a user deleted meanwhile; their errors are
// translated into the interface's ALREADY_EXISTS and NOT_FOUND.
//
// Thread-safety: thread-safe; the pool must outlive the store.
#ifndef UPTIME_STORE_POSTGRES_PG_ACCOUNT_STORE_H_
#define UPTIME_STORE_POSTGRES_PG_ACCOUNT_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "store/account_store.h"
#include "store/postgres/pg_pool.h"

namespace uptime::store {

class PgAccountStore : public AccountStore {
 public:
  explicit PgAccountStore(PgPool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<StoredUser>> LoadUsers() override;
  absl::StatusOr<std::vector<StoredApiKey>> LoadApiKeys() override;
  absl::StatusOr<std::vector<StoredSession>> LoadSessions(absl::Time now) override;

  absl::Status InsertUser(const StoredUser& user, const v1::AuditEvent& audit) override;
  absl::Status UpdateUser(const StoredUser& user, bool end_sessions,
                          const v1::AuditEvent& audit) override;
  absl::Status DeleteUser(const std::string& id, const v1::AuditEvent& audit) override;

  absl::Status InsertApiKey(const StoredApiKey& key, const v1::AuditEvent& audit) override;
  absl::Status DeleteApiKey(const std::string& id, const v1::AuditEvent& audit) override;
  absl::Status TouchApiKeys(const std::vector<std::pair<std::string, absl::Time>>& used) override;

  absl::Status InsertSession(const StoredSession& session, const v1::AuditEvent& audit) override;
  absl::Status DeleteSession(const std::string& id, const v1::AuditEvent& audit) override;
  absl::Status TouchSessions(const std::vector<std::pair<std::string, absl::Time>>& seen) override;
  absl::StatusOr<int64_t> DeleteExpiredSessions(absl::Time now) override;

  absl::Status AppendAudit(const v1::AuditEvent& audit) override;
  absl::StatusOr<AuditPage> ListAudit(const AuditQuery& query) override;

 private:
  PgPool* const pool_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_ACCOUNT_STORE_H_
