// AccountStore in memory: for unit tests, and for a coordinator run without
// PostgreSQL (nothing survives a restart then).
//
// Each write checks every precondition before it changes anything and
// appends its audit event under the same lock, so, as in PostgreSQL, a
// failed write leaves neither a change nor a record. The audit log keeps the
// newest `max_audit_events` events: memory must not grow with the age of
// the process.
//
// Thread-safety: thread-safe (one mutex).
#ifndef UPTIME_STORE_MEMORY_MEMORY_ACCOUNT_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_ACCOUNT_STORE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/account_store.h"

namespace uptime::store {

class MemoryAccountStore : public AccountStore {
 public:
  static constexpr size_t kDefaultMaxAuditEvents = 100'000;

  explicit MemoryAccountStore(size_t max_audit_events = kDefaultMaxAuditEvents);

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
  void AppendAuditLocked(const v1::AuditEvent& audit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes the session and its hash index entry.
  void EraseSessionLocked(std::map<std::string, StoredSession>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes every session of `user_id`.
  void EraseSessionsOfLocked(const std::string& user_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_audit_events_;

  absl::Mutex mu_;
  std::map<std::string, StoredUser> users_ ABSL_GUARDED_BY(mu_);  // by id
  // Lower-cased username -> user id: usernames are unique case-insensitively.
  std::map<std::string, std::string> user_ids_by_username_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, StoredApiKey> keys_ ABSL_GUARDED_BY(mu_);  // by id
  std::map<std::string, std::string> key_ids_by_hash_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, StoredSession> sessions_ ABSL_GUARDED_BY(mu_);  // by id
  std::map<std::string, std::string> session_ids_by_hash_ ABSL_GUARDED_BY(mu_);
  // Oldest first; ids strictly increasing.
  std::deque<v1::AuditEvent> audit_ ABSL_GUARDED_BY(mu_);
  int64_t next_audit_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_ACCOUNT_STORE_H_
