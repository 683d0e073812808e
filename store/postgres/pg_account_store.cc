#include "store/postgres/pg_account_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_text.h"

namespace uptime::store {
namespace {

// Named in migration 5, so a collision can say which key it was.
constexpr char kUsernameIndex[] = "users_username_key";
constexpr char kKeyHashConstraint[] = "api_keys_key_hash_key";
constexpr char kSessionHashConstraint[] = "sessions_token_hash_key";
constexpr char kForeignKeyViolation[] = "23503";

absl::Status UserNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("user '", id, "' not found"));
}

// A unique violation on `users` in the caller's vocabulary.
absl::Status ExplainUser(const absl::Status& status, const v1::User& user) {
  if (!absl::IsAlreadyExists(status)) return status;
  if (PgConstraint(status) == kUsernameIndex) {
    return absl::AlreadyExistsError(absl::StrCat("username '", user.username(), "' is taken"));
  }
  return absl::AlreadyExistsError(absl::StrCat("user id '", user.id(), "' already exists"));
}

// Unique and foreign-key violations of a key or session insert: the hash,
// the id, or an owner that is gone.
absl::Status ExplainChild(const absl::Status& status, absl::string_view what,
                          const std::string& id, absl::string_view hash_constraint,
                          absl::string_view hash_name, const std::string& user_id) {
  if (PgSqlState(status) == kForeignKeyViolation) return UserNotFound(user_id);
  if (!absl::IsAlreadyExists(status)) return status;
  if (PgConstraint(status) == hash_constraint) {
    return absl::AlreadyExistsError(absl::StrCat(what, " ", hash_name, " is taken"));
  }
  return absl::AlreadyExistsError(absl::StrCat(what, " id '", id, "' already exists"));
}

// The spec column: the user without a password, whatever the caller sent.
std::string UserSpec(const v1::User& user) {
  v1::User spec = user;
  spec.clear_password();
  return spec.SerializeAsString();
}

// Batched touches: the last time given per id wins, as if applied in
// order; unknown ids match no row.
absl::Status Touch(PgPool& pool, absl::string_view table, absl::string_view column,
                   const std::vector<std::pair<std::string, absl::Time>>& touches) {
  if (touches.empty()) return absl::OkStatus();
  std::map<std::string, absl::Time> last;
  for (const auto& [id, time] : touches) last[id] = time;
  std::vector<std::string> ids;
  std::vector<absl::Time> times;
  for (const auto& [id, time] : last) {
    ids.push_back(id);
    times.push_back(time);
  }
  ASSIGN_OR_RETURN(PgLease lease, pool.Acquire());
  return lease
      ->Exec(absl::StrCat("UPDATE ", table, " AS t SET ", column,
                          " = u.time FROM unnest($1::text[], $2::timestamptz[]) AS u(id, time) "
                          "WHERE t.id = u.id"),
             {PgParam::Text(TextArrayLiteral(ids)), PgParam::Text(TimeArrayLiteral(times))})
      .status();
}

}  // namespace

absl::StatusOr<std::vector<StoredUser>> PgAccountStore::LoadUsers() {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows,
                   lease->Exec("SELECT id, spec, password_hash, totp_secret FROM users "
                               "ORDER BY id"));
  std::vector<StoredUser> users(rows.rows());
  for (int row = 0; row < rows.rows(); ++row) {
    if (!users[row].user.ParseFromString(rows.Bytes(row, 1))) {
      return absl::DataLossError(
          absl::StrCat("user '", rows.Text(row, 0), "': stored spec does not parse"));
    }
    users[row].password_hash = std::string(rows.Text(row, 2));
    users[row].totp_secret = std::string(rows.Text(row, 3));
  }
  return users;
}

absl::StatusOr<std::vector<StoredApiKey>> PgAccountStore::LoadApiKeys() {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows,
                   lease->Exec("SELECT id, spec, key_hash, uptime_us(last_used_time) "
                               "FROM api_keys ORDER BY id"));
  std::vector<StoredApiKey> keys(rows.rows());
  for (int row = 0; row < rows.rows(); ++row) {
    StoredApiKey& key = keys[row];
    if (!key.key.ParseFromString(rows.Bytes(row, 1))) {
      return absl::DataLossError(
          absl::StrCat("API key '", rows.Text(row, 0), "': stored spec does not parse"));
    }
    key.key_hash = std::string(rows.Text(row, 2));
    // The column is the truth: touches update it, not the spec.
    if (rows.IsNull(row, 3)) {
      key.key.clear_last_used_time();
    } else {
      ToProto(rows.MicrosTime(row, 3), key.key.mutable_last_used_time());
    }
  }
  return keys;
}

absl::StatusOr<std::vector<StoredSession>> PgAccountStore::LoadSessions(absl::Time now) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(
      PgResult rows,
      lease->Exec("SELECT id, token_hash, user_id, uptime_us(create_time), "
                  "uptime_us(last_seen_time), uptime_us(expire_time), client_address "
                  "FROM sessions WHERE expire_time > $1 ORDER BY id",
                  {PgParam::Time(now)}));
  std::vector<StoredSession> sessions(rows.rows());
  for (int row = 0; row < rows.rows(); ++row) {
    StoredSession& s = sessions[row];
    s.id = std::string(rows.Text(row, 0));
    s.token_hash = std::string(rows.Text(row, 1));
    s.user_id = std::string(rows.Text(row, 2));
    s.create_time = rows.MicrosTime(row, 3);
    s.last_seen_time = rows.MicrosTime(row, 4);
    s.expire_time = rows.MicrosTime(row, 5);
    s.client_address = std::string(rows.Text(row, 6));
  }
  return sessions;
}

absl::Status PgAccountStore::InsertUser(const StoredUser& user, const v1::AuditEvent& audit) {
  const v1::User& u = user.user;
  return ExplainUser(
      pool_->InTransaction([&](PgConn& tx) -> absl::Status {
        RETURN_IF_ERROR(
            tx.Exec("INSERT INTO users (id, username, spec, password_hash, totp_secret, "
                    "create_time, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    {PgParam::Text(u.id()), PgParam::Text(u.username()),
                     PgParam::Bytes(UserSpec(u)), PgParam::Text(user.password_hash),
                     PgParam::Text(user.totp_secret), PgParam::Time(FromProto(u.create_time())),
                     PgParam::Time(FromProto(u.update_time()))})
                .status());
        return InsertAuditEvent(tx, audit).status();
      }),
      u);
}

absl::Status PgAccountStore::UpdateUser(const StoredUser& user, bool end_sessions,
                                        const v1::AuditEvent& audit) {
  const v1::User& u = user.user;
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    // Locked, so the username checked is the one the update replaces.
    ASSIGN_OR_RETURN(PgResult current, tx.Exec("SELECT username FROM users WHERE id = $1 "
                                               "FOR UPDATE",
                                               {PgParam::Text(u.id())}));
    if (current.rows() == 0) return UserNotFound(u.id());
    if (current.Text(0, 0) != u.username()) {
      return absl::InvalidArgumentError(
          absl::StrCat("user.username: cannot change (is '", current.Text(0, 0), "')"));
    }
    RETURN_IF_ERROR(tx.Exec("UPDATE users SET spec = $2, password_hash = $3, totp_secret = $4, "
                            "create_time = $5, update_time = $6 WHERE id = $1",
                            {PgParam::Text(u.id()), PgParam::Bytes(UserSpec(u)),
                             PgParam::Text(user.password_hash), PgParam::Text(user.totp_secret),
                             PgParam::Time(FromProto(u.create_time())),
                             PgParam::Time(FromProto(u.update_time()))})
                        .status());
    if (end_sessions) {
      RETURN_IF_ERROR(
          tx.Exec("DELETE FROM sessions WHERE user_id = $1", {PgParam::Text(u.id())}).status());
    }
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgAccountStore::DeleteUser(const std::string& id, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    // Keys and sessions follow by ON DELETE CASCADE.
    ASSIGN_OR_RETURN(PgResult r, tx.Exec("DELETE FROM users WHERE id = $1", {PgParam::Text(id)}));
    if (r.affected() == 0) return UserNotFound(id);
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgAccountStore::InsertApiKey(const StoredApiKey& key, const v1::AuditEvent& audit) {
  const v1::ApiKey& k = key.key;
  absl::Status status = pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO api_keys (id, user_id, key_hash, spec, last_used_time) "
                "VALUES ($1, $2, $3, $4, $5)",
                {PgParam::Text(k.id()), PgParam::Text(k.user_id()), PgParam::Text(key.key_hash),
                 PgParam::Bytes(k.SerializeAsString()),
                 k.has_last_used_time() ? PgParam::Time(FromProto(k.last_used_time()))
                                        : PgParam::Null()})
            .status());
    return InsertAuditEvent(tx, audit).status();
  });
  return ExplainChild(status, "API key", k.id(), kKeyHashConstraint, "hash", k.user_id());
}

absl::Status PgAccountStore::DeleteApiKey(const std::string& id, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     tx.Exec("DELETE FROM api_keys WHERE id = $1", {PgParam::Text(id)}));
    if (r.affected() == 0) {
      return absl::NotFoundError(absl::StrCat("API key '", id, "' not found"));
    }
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgAccountStore::TouchApiKeys(
    const std::vector<std::pair<std::string, absl::Time>>& used) {
  return Touch(*pool_, "api_keys", "last_used_time", used);
}

absl::Status PgAccountStore::InsertSession(const StoredSession& session,
                                           const v1::AuditEvent& audit) {
  absl::Status status = pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO sessions (id, token_hash, user_id, create_time, last_seen_time, "
                "expire_time, client_address) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                {PgParam::Text(session.id), PgParam::Text(session.token_hash),
                 PgParam::Text(session.user_id), PgParam::Time(session.create_time),
                 PgParam::Time(session.last_seen_time), PgParam::Time(session.expire_time),
                 PgParam::Text(SanitizeUtf8(session.client_address))})
            .status());
    return InsertAuditEvent(tx, audit).status();
  });
  return ExplainChild(status, "session", session.id, kSessionHashConstraint, "token hash",
                      session.user_id);
}

absl::Status PgAccountStore::DeleteSession(const std::string& id, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     tx.Exec("DELETE FROM sessions WHERE id = $1", {PgParam::Text(id)}));
    if (r.affected() == 0) {
      return absl::NotFoundError(absl::StrCat("session '", id, "' not found"));
    }
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgAccountStore::TouchSessions(
    const std::vector<std::pair<std::string, absl::Time>>& seen) {
  return Touch(*pool_, "sessions", "last_seen_time", seen);
}

absl::StatusOr<int64_t> PgAccountStore::DeleteExpiredSessions(absl::Time now) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult r, lease->Exec("DELETE FROM sessions WHERE expire_time <= $1",
                                           {PgParam::Time(now)}));
  return r.affected();
}

absl::Status PgAccountStore::AppendAudit(const v1::AuditEvent& audit) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return InsertAuditEvent(*lease, audit).status();
}

absl::StatusOr<AuditPage> PgAccountStore::ListAudit(const AuditQuery& query) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return ListAuditEvents(*lease, query);
}

}  // namespace uptime::store
