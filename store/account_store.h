// AccountStore: durable users, API keys, sessions and the audit log.
//
// The coordinator keeps users, keys and live sessions in memory (the
// AccountRegistry and its credential cache) and writes here first. Secrets
// never reach this store in clear: passwords arrive as Argon2id encodings,
// keys and session tokens as SHA-256 hex digests.
//
// Every write takes the audit event that records it and writes both in one
// transaction (in PostgreSQL), so no change exists without its record and no
// record without its change. The store assigns `AuditEvent.id`.
//
// Implementations: MemoryAccountStore (memory/memory_account_store.h) and
// PgAccountStore (postgres/pg_account_store.h).
//
// Example:
//   RETURN_IF_ERROR(store->InsertUser(user, audit));
//   ASSIGN_OR_RETURN(std::vector<StoredUser> users, store->LoadUsers());
#ifndef UPTIME_STORE_ACCOUNT_STORE_H_
#define UPTIME_STORE_ACCOUNT_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/user.pb.h"

namespace uptime::store {

struct StoredUser {
  // Without `password` (cleared by the caller); times as set by the caller.
  v1::User user;
  // Argon2id encoded hash ("$argon2id$v=19$m=...").
  std::string password_hash;
  // Base32 TOTP secret; empty when the user has no second factor.
  std::string totp_secret;
};

struct StoredApiKey {
  v1::ApiKey key;        // as returned by the API (no secret in it)
  std::string key_hash;  // lower-case hex SHA-256 of the whole key; unique
};

struct StoredSession {
  std::string id;          // "s-" + 16 hex digits
  std::string token_hash;  // lower-case hex SHA-256 of the token; unique
  std::string user_id;
  absl::Time create_time;
  absl::Time last_seen_time;
  absl::Time expire_time;  // absolute expiry
  std::string client_address;
};

struct AuditQuery {
  int page_size = 100;  // 1..1000, already validated
  // Opaque; from a previous page's `next_page_token`. INVALID_ARGUMENT
  // ("page_token: ...") when it does not parse.
  std::string page_token = {};
  // Exact-match filters; empty means any.
  std::string resource_type = {};
  std::string resource_id = {};
  std::string actor = {};
};

struct AuditPage {
  std::vector<v1::AuditEvent> events;  // newest first (id descending)
  std::string next_page_token;         // empty on the last page
};

// Thread-safe in every implementation.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Every user, ordered by id.
  virtual absl::StatusOr<std::vector<StoredUser>> LoadUsers() = 0;
  // Every key, ordered by id.
  virtual absl::StatusOr<std::vector<StoredApiKey>> LoadApiKeys() = 0;
  // Every session with expire_time > now, ordered by id.
  virtual absl::StatusOr<std::vector<StoredSession>> LoadSessions(absl::Time now) = 0;

  // ALREADY_EXISTS when the id or the username (case-insensitively) is taken.
  virtual absl::Status InsertUser(const StoredUser& user, const v1::AuditEvent& audit) = 0;
  // Replaces the user with this id (the username never changes). With
  // `end_sessions`, also deletes the user's sessions in the same
  // transaction. NOT_FOUND for an unknown id.
  virtual absl::Status UpdateUser(const StoredUser& user, bool end_sessions,
                                  const v1::AuditEvent& audit) = 0;
  // Also deletes the user's keys and sessions. NOT_FOUND for an unknown id.
  virtual absl::Status DeleteUser(const std::string& id, const v1::AuditEvent& audit) = 0;

  // ALREADY_EXISTS for a taken id or hash; NOT_FOUND when the user is gone.
  virtual absl::Status InsertApiKey(const StoredApiKey& key, const v1::AuditEvent& audit) = 0;
  // Deletes the key. NOT_FOUND for an unknown id.
  virtual absl::Status DeleteApiKey(const std::string& id, const v1::AuditEvent& audit) = 0;
  // Best effort, batched: sets last_used_time of existing keys (unknown ids
  // are skipped). Not audited.
  virtual absl::Status TouchApiKeys(const std::vector<std::pair<std::string, absl::Time>>& used) = 0;

  // NOT_FOUND when the user is gone; ALREADY_EXISTS for a taken id or hash.
  virtual absl::Status InsertSession(const StoredSession& session, const v1::AuditEvent& audit) = 0;
  // NOT_FOUND for an unknown id.
  virtual absl::Status DeleteSession(const std::string& id, const v1::AuditEvent& audit) = 0;
  // Best effort, batched: sets last_seen_time of existing sessions. Not audited.
  virtual absl::Status TouchSessions(const std::vector<std::pair<std::string, absl::Time>>& seen) = 0;
  // Deletes sessions with expire_time <= now; returns how many.
  virtual absl::StatusOr<int64_t> DeleteExpiredSessions(absl::Time now) = 0;

  // A record without a change of its own (a failed sign-in, say).
  virtual absl::Status AppendAudit(const v1::AuditEvent& audit) = 0;
  virtual absl::StatusOr<AuditPage> ListAudit(const AuditQuery& query) = 0;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_ACCOUNT_STORE_H_
