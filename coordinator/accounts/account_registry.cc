#include "coordinator/accounts/account_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/accounts/account_registry_helpers.h"
#include "spdlog/spdlog.h"

// AccountRegistry's lifecycle (load, bootstrap, housekeeping), the credential
// check and the state shared by its parts. Users: account_registry_users.cc;
// API keys: account_registry_api_keys.cc; sign-in and sessions:
// account_registry_sessions.cc; second factors: account_registry_totp.cc.

namespace uptime::coordinator {
namespace {

using account_registry_internal::FromMs;
using account_registry_internal::Lower;
using account_registry_internal::ToMs;

const char* CredentialLabel(const Principal& p) {
  switch (p.kind) {
    case CredentialKind::kStaticToken:
    case CredentialKind::kAgentToken:
      return "static_token";
    case CredentialKind::kApiKey:
      return "api_key";
    case CredentialKind::kSession:
      return "session";
    case CredentialKind::kNone:
      break;
  }
  return "none";
}

}  // namespace

v1::Caller ToCaller(const Principal& principal) {
  v1::Caller caller;
  caller.set_role(ToProtoRole(principal.role));
  caller.set_name(principal.name);
  caller.set_user_id(principal.user_id);
  caller.set_api_key_id(principal.api_key_id);
  switch (principal.kind) {
    case CredentialKind::kStaticToken:
    case CredentialKind::kAgentToken:
    case CredentialKind::kNone:
      caller.set_kind(v1::CREDENTIAL_KIND_STATIC_TOKEN);
      break;
    case CredentialKind::kApiKey:
      caller.set_kind(v1::CREDENTIAL_KIND_API_KEY);
      break;
    case CredentialKind::kSession:
      caller.set_kind(v1::CREDENTIAL_KIND_SESSION);
      ToProto(principal.idle_expire_time, caller.mutable_idle_expire_time());
      ToProto(principal.expire_time, caller.mutable_expire_time());
      break;
  }
  caller.set_must_change_password(principal.must_change_password);
  return caller;
}

v1::AuditEvent AuditTemplate(const Actor& actor, absl::Time time) {
  v1::AuditEvent e;
  ToProto(time, e.mutable_time());
  e.set_actor(actor.principal.name.empty() ? "anonymous" : actor.principal.name);
  e.set_actor_user_id(actor.principal.user_id);
  e.set_credential(actor.principal.kind == CredentialKind::kApiKey
                       ? absl::StrCat("api_key:", actor.principal.api_key_id)
                       : CredentialLabel(actor.principal));
  e.set_client_address(actor.client_address);
  return e;
}

AccountRegistry::AccountRegistry(Clock* clock, store::AccountStore* store, AccountOptions options)
    : clock_(clock),
      store_(store),
      options_(options),
      throttle_(clock, options.throttle),
      housekeeping_(clock, "accounts", [this](absl::Time now) { return Housekeeping(now); }) {
  absl::StatusOr<std::string> dummy = HashPassword(NewCredential(""), options_.password_cost);
  if (dummy.ok()) dummy_hash_ = *std::move(dummy);
}

AccountRegistry::~AccountRegistry() { Stop(); }

absl::Status AccountRegistry::Load() {
  ASSIGN_OR_RETURN(std::vector<store::StoredUser> users, store_->LoadUsers());
  ASSIGN_OR_RETURN(std::vector<store::StoredApiKey> keys, store_->LoadApiKeys());
  ASSIGN_OR_RETURN(std::vector<store::StoredSession> sessions,
                   store_->LoadSessions(clock_->Now()));
  absl::MutexLock lock(&mu_);
  users_.clear();
  user_by_name_.clear();
  keys_.clear();
  key_by_id_.clear();
  sessions_.clear();
  session_by_id_.clear();
  last_login_.clear();
  for (store::StoredUser& u : users) {
    user_by_name_[Lower(u.user.username())] = u.user.id();
    if (u.user.has_last_login_time()) last_login_[u.user.id()] = FromProto(u.user.last_login_time());
    users_[u.user.id()] = std::move(u);
  }
  for (store::StoredApiKey& k : keys) {
    auto entry = std::make_unique<KeyEntry>();
    const int64_t used = k.key.has_last_used_time() ? ToMs(FromProto(k.key.last_used_time())) : 0;
    entry->last_used_ms = used;
    entry->flushed_ms = used;
    key_by_id_[k.key.id()] = k.key_hash;
    entry->stored = std::move(k);
    keys_[entry->stored.key_hash] = std::move(entry);
  }
  for (store::StoredSession& s : sessions) {
    auto entry = std::make_unique<SessionEntry>();
    entry->last_seen_ms = ToMs(s.last_seen_time);
    entry->flushed_ms = entry->last_seen_ms;
    absl::Time& login = last_login_[s.user_id];
    login = std::max(login, s.create_time);
    session_by_id_[s.id] = s.token_hash;
    entry->stored = std::move(s);
    sessions_[entry->stored.token_hash] = std::move(entry);
  }
  spdlog::info("accounts: {} users, {} API keys, {} live sessions", users_.size(), keys_.size(),
               sessions_.size());
  return absl::OkStatus();
}

absl::Status AccountRegistry::Bootstrap(const std::string& username, const std::string& password) {
  if (HasUsers()) {
    spdlog::info("accounts: users exist; the bootstrap admin '{}' is not created", username);
    return absl::OkStatus();
  }
  v1::User user;
  user.set_username(username);
  user.set_role(v1::ROLE_ADMIN);
  user.set_password(password);
  Actor actor{.principal = {.role = AccessRole::kAdmin,
                            .kind = CredentialKind::kStaticToken,
                            .name = "bootstrap"}};
  absl::StatusOr<v1::User> created = CreateUser(actor, user);
  if (!created.ok()) {
    return absl::Status(created.status().code(),
                        absl::StrCat("--bootstrap-admin: ", created.status().message()));
  }
  spdlog::info("accounts: created the first admin '{}'", username);
  return absl::OkStatus();
}

void AccountRegistry::Start() { housekeeping_.Start(); }

void AccountRegistry::Stop() {
  if (!housekeeping_.running()) return;
  housekeeping_.Stop();
  Flush();
}

absl::StatusOr<Principal> AccountRegistry::Resolve(absl::string_view credential) const {
  const absl::Time now = clock_->Now();
  const std::string digest = CredentialDigest(credential);
  absl::ReaderMutexLock lock(&mu_);
  if (absl::StartsWith(credential, "uk_")) {
    auto it = keys_.find(digest);
    if (it == keys_.end()) return absl::UnauthenticatedError("invalid or revoked API key");
    const KeyEntry& key = *it->second;
    if (key.stored.key.has_expire_time() && FromProto(key.stored.key.expire_time()) <= now) {
      return absl::UnauthenticatedError("this API key has expired");
    }
    const store::StoredUser* user = FindUserLocked(key.stored.key.user_id());
    if (user == nullptr || user->user.disabled()) {
      return absl::UnauthenticatedError("invalid or revoked API key");
    }
    key.last_used_ms.store(ToMs(now), std::memory_order_relaxed);
    // A key never outranks its owner, even after the owner is demoted.
    return Principal{.role = std::min(ToAccessRole(key.stored.key.role()),
                                      ToAccessRole(user->user.role())),
                     .kind = CredentialKind::kApiKey,
                     .name = user->user.username(),
                     .user_id = user->user.id(),
                     .api_key_id = key.stored.key.id(),
                     .must_change_password = user->user.must_change_password()};
  }
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return absl::UnauthenticatedError("invalid or ended session");
  const SessionEntry& session = *it->second;
  const absl::Time idle_end =
      FromMs(session.last_seen_ms.load(std::memory_order_relaxed)) + options_.session_idle_timeout;
  if (now >= session.stored.expire_time || now >= idle_end) {
    return absl::UnauthenticatedError("the session has expired: sign in again");
  }
  const store::StoredUser* user = FindUserLocked(session.stored.user_id);
  if (user == nullptr || user->user.disabled()) {
    return absl::UnauthenticatedError("invalid or ended session");
  }
  session.last_seen_ms.store(ToMs(now), std::memory_order_relaxed);
  return Principal{.role = ToAccessRole(user->user.role()),
                   .kind = CredentialKind::kSession,
                   .name = user->user.username(),
                   .user_id = user->user.id(),
                   .session_id = session.stored.id,
                   .idle_expire_time = std::min(now + options_.session_idle_timeout,
                                                session.stored.expire_time),
                   .expire_time = session.stored.expire_time,
                   .must_change_password = user->user.must_change_password()};
}

v1::AuditEvent AccountRegistry::NewAudit(const Actor& actor, absl::string_view action,
                                         absl::string_view resource_type,
                                         absl::string_view resource_id) const {
  v1::AuditEvent e = AuditTemplate(actor, clock_->Now());
  e.set_action(std::string(action));
  e.set_resource_type(std::string(resource_type));
  e.set_resource_id(std::string(resource_id));
  return e;
}

const store::StoredUser* AccountRegistry::FindUserLocked(const std::string& id) const {
  auto it = users_.find(id);
  return it == users_.end() ? nullptr : &it->second;
}

absl::StatusOr<store::StoredUser> AccountRegistry::CopyUser(const std::string& id) const {
  absl::ReaderMutexLock lock(&mu_);
  const store::StoredUser* user = FindUserLocked(id);
  if (user == nullptr) return absl::NotFoundError(absl::StrCat("user '", id, "' not found"));
  return *user;
}

absl::StatusOr<store::StoredUser> AccountRegistry::CopyOwnUser(const Actor& actor) const {
  absl::StatusOr<store::StoredUser> user = CopyUser(actor.principal.user_id);
  if (absl::IsNotFound(user.status())) return absl::NotFoundError("user not found");
  return user;
}

v1::User AccountRegistry::PublicUserLocked(const store::StoredUser& stored) const {
  v1::User user = stored.user;
  user.clear_password();
  user.set_totp_enabled(!stored.totp_secret.empty());
  auto it = last_login_.find(user.id());
  if (it != last_login_.end()) ToProto(it->second, user.mutable_last_login_time());
  return user;
}

bool AccountRegistry::HasUsers() const {
  absl::ReaderMutexLock lock(&mu_);
  return !users_.empty();
}

void AccountRegistry::DropSessionsLocked(const std::string& user_id) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->stored.user_id == user_id) {
      session_by_id_.erase(it->second->stored.id);
      sessions_.erase(it++);
    } else {
      ++it;
    }
  }
}

void AccountRegistry::DropKeysLocked(const std::string& user_id) {
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (it->second->stored.key.user_id() == user_id) {
      key_by_id_.erase(it->second->stored.key.id());
      keys_.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::StatusOr<store::AuditPage> AccountRegistry::ListAudit(const store::AuditQuery& query) const {
  return store_->ListAudit(query);
}

void AccountRegistry::Flush() { Housekeeping(clock_->Now()); }

absl::Time AccountRegistry::Housekeeping(absl::Time now) {
  std::vector<std::pair<std::string, absl::Time>> keys;
  std::vector<std::pair<std::string, absl::Time>> sessions;
  std::vector<std::string> expired;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [digest, key] : keys_) {
      const int64_t used = key->last_used_ms.load(std::memory_order_relaxed);
      if (used > key->flushed_ms) {
        keys.emplace_back(key->stored.key.id(), FromMs(used));
        key->flushed_ms = used;
      }
    }
    for (auto& [digest, session] : sessions_) {
      const int64_t seen = session->last_seen_ms.load(std::memory_order_relaxed);
      if (now >= session->stored.expire_time ||
          now >= FromMs(seen) + options_.session_idle_timeout) {
        expired.push_back(digest);
      } else if (seen > session->flushed_ms) {
        sessions.emplace_back(session->stored.id, FromMs(seen));
        session->flushed_ms = seen;
      }
    }
    for (const std::string& digest : expired) {
      session_by_id_.erase(sessions_.at(digest)->stored.id);
      sessions_.erase(digest);
    }
  }
  // Best effort: a lost touch only makes a last-use time older.
  if (!keys.empty()) {
    if (absl::Status s = store_->TouchApiKeys(keys); !s.ok()) {
      spdlog::warn("accounts: cannot record API key use: {}", std::string(s.message()));
    }
  }
  if (!sessions.empty()) {
    if (absl::Status s = store_->TouchSessions(sessions); !s.ok()) {
      spdlog::warn("accounts: cannot record session use: {}", std::string(s.message()));
    }
  }
  if (absl::StatusOr<int64_t> n = store_->DeleteExpiredSessions(now); !n.ok()) {
    spdlog::warn("accounts: cannot delete expired sessions: {}", std::string(n.status().message()));
  }
  return now + options_.touch_interval;
}

}  // namespace uptime::coordinator
