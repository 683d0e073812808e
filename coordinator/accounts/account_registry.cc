#include "coordinator/accounts/account_registry.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/accounts/totp.h"
#include "coordinator/catalog/catalog.h"
#include "google/protobuf/util/json_util.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

constexpr char kInvalidLogin[] = "invalid username or password";

int64_t ToMs(absl::Time t) { return absl::ToUnixMillis(t); }
absl::Time FromMs(int64_t ms) { return absl::FromUnixMillis(ms); }

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

absl::Status ValidateUsername(absl::string_view name) {
  if (name.empty() || name.size() > 64) {
    return absl::InvalidArgumentError("user.username: must be 1..64 characters");
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name[0]))) {
    return absl::InvalidArgumentError("user.username: must start with a letter or digit");
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return absl::InvalidArgumentError(
          "user.username: only letters, digits, '.', '_' and '-' are allowed");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRole(absl::string_view field, v1::Role role) {
  if (role == v1::ROLE_VIEWER || role == v1::ROLE_EDITOR || role == v1::ROLE_ADMIN) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be ROLE_VIEWER, ROLE_EDITOR or ROLE_ADMIN"));
}

absl::Status ValidateDisplayName(absl::string_view name) {
  if (name.size() > 200) {
    return absl::InvalidArgumentError("user.display_name: must be at most 200 characters");
  }
  return absl::OkStatus();
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

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

absl::Status Denied(absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat(what, " needs the 'admin' role"));
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

v1::User AccountRegistry::PublicUserLocked(const store::StoredUser& stored) const {
  v1::User user = stored.user;
  user.clear_password();
  user.set_totp_enabled(!stored.totp_secret.empty());
  auto it = last_login_.find(user.id());
  if (it != last_login_.end()) ToProto(it->second, user.mutable_last_login_time());
  return user;
}

v1::ApiKey AccountRegistry::PublicKey(const KeyEntry& key) const {
  v1::ApiKey out = key.stored.key;
  const int64_t used = key.last_used_ms.load(std::memory_order_relaxed);
  if (used > 0) ToProto(FromMs(used), out.mutable_last_used_time());
  return out;
}

absl::StatusOr<v1::User> AccountRegistry::CreateUser(const Actor& actor, const v1::User& spec) {
  RETURN_IF_ERROR(ValidateUsername(spec.username()));
  RETURN_IF_ERROR(ValidateRole("user.role", spec.role()));
  RETURN_IF_ERROR(ValidateDisplayName(spec.display_name()));
  if (spec.password().empty()) return absl::InvalidArgumentError("user.password: is required");
  RETURN_IF_ERROR(ValidatePassword("user.password", spec.password()));
  if (!spec.id().empty()) return absl::InvalidArgumentError("user.id: is assigned by the server");
  ASSIGN_OR_RETURN(std::string hash, HashPassword(spec.password(), options_.password_cost));

  absl::MutexLock write(&write_mu_);
  {
    absl::ReaderMutexLock lock(&mu_);
    if (user_by_name_.contains(Lower(spec.username()))) {
      return absl::AlreadyExistsError(
          absl::StrCat("user.username: '", spec.username(), "' is taken"));
    }
  }
  store::StoredUser stored;
  stored.user.set_id(NewId("u"));
  stored.user.set_username(spec.username());
  stored.user.set_display_name(spec.display_name());
  stored.user.set_role(spec.role());
  ToProto(clock_->Now(), stored.user.mutable_create_time());
  *stored.user.mutable_update_time() = stored.user.create_time();
  stored.password_hash = std::move(hash);
  v1::AuditEvent audit = NewAudit(actor, "user.create", "user", stored.user.id());
  audit.set_after_json(Json(stored.user));
  RETURN_IF_ERROR(store_->InsertUser(stored, audit));
  absl::MutexLock lock(&mu_);
  user_by_name_[Lower(stored.user.username())] = stored.user.id();
  v1::User out = PublicUserLocked(stored);
  users_[stored.user.id()] = std::move(stored);
  return out;
}

absl::StatusOr<std::string> AccountRegistry::ResolveUserId(const Actor& actor,
                                                           const std::string& id) const {
  if (id != "me") return id;
  if (actor.principal.user_id.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "id: 'me' names no user: the call is made with ", actor.principal.name));
  }
  return actor.principal.user_id;
}

absl::StatusOr<v1::User> AccountRegistry::GetUser(const Actor& actor, const std::string& id) const {
  ASSIGN_OR_RETURN(std::string user_id, ResolveUserId(actor, id));
  if (user_id != actor.principal.user_id && actor.principal.role < AccessRole::kAdmin) {
    return Denied("reading another user");
  }
  absl::ReaderMutexLock lock(&mu_);
  const store::StoredUser* user = FindUserLocked(user_id);
  if (user == nullptr) return absl::NotFoundError(absl::StrCat("user '", user_id, "' not found"));
  return PublicUserLocked(*user);
}

absl::StatusOr<UserList> AccountRegistry::ListUsers(int page_size,
                                                   const std::string& page_token) const {
  ASSIGN_OR_RETURN(std::string after, DecodePageToken(page_token));
  absl::ReaderMutexLock lock(&mu_);
  // Ordered by username (lower-case), as people look for names.
  std::vector<std::pair<std::string, const store::StoredUser*>> sorted;
  sorted.reserve(users_.size());
  for (const auto& [id, u] : users_) sorted.emplace_back(Lower(u.user.username()), &u);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  UserList list;
  for (const auto& [name, u] : sorted) {
    if (!after.empty() && name <= after) continue;
    if (static_cast<int>(list.users.size()) == page_size) {
      list.next_page_token = EncodePageToken(Lower(list.users.back().username()));
      break;
    }
    list.users.push_back(PublicUserLocked(*u));
  }
  return list;
}

absl::StatusOr<v1::User> AccountRegistry::UpdateUser(const Actor& actor, const v1::User& spec,
                                                     const google::protobuf::FieldMask& mask) {
  if (mask.paths().empty()) {
    return absl::InvalidArgumentError(
        "update_mask: name the fields to change (display_name, role, disabled, password)");
  }
  bool end_sessions = false;
  std::string new_hash;
  for (const std::string& path : mask.paths()) {
    if (path == "display_name") {
      RETURN_IF_ERROR(ValidateDisplayName(spec.display_name()));
    } else if (path == "role") {
      RETURN_IF_ERROR(ValidateRole("user.role", spec.role()));
    } else if (path == "disabled") {
      end_sessions = end_sessions || spec.disabled();
    } else if (path == "password") {
      RETURN_IF_ERROR(ValidatePassword("user.password", spec.password()));
      ASSIGN_OR_RETURN(new_hash, HashPassword(spec.password(), options_.password_cost));
      end_sessions = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask: '", path, "' cannot be changed (display_name, role, disabled, password)"));
    }
  }
  ASSIGN_OR_RETURN(std::string id, ResolveUserId(actor, spec.id()));
  if (id == actor.principal.user_id) {
    const bool demotes = absl::c_linear_search(mask.paths(), "role") &&
                         ToAccessRole(spec.role()) < actor.principal.role;
    const bool disables = absl::c_linear_search(mask.paths(), "disabled") && spec.disabled();
    if (demotes || disables) {
      return absl::FailedPreconditionError(
          "user: you cannot demote or disable yourself; ask another admin");
    }
  }
  absl::MutexLock write(&write_mu_);
  store::StoredUser updated;
  {
    absl::ReaderMutexLock lock(&mu_);
    const store::StoredUser* user = FindUserLocked(id);
    if (user == nullptr) return absl::NotFoundError(absl::StrCat("user '", id, "' not found"));
    updated = *user;
  }
  v1::AuditEvent audit = NewAudit(actor, "user.update", "user", id);
  audit.set_before_json(Json(updated.user));
  for (const std::string& path : mask.paths()) {
    if (path == "display_name") updated.user.set_display_name(spec.display_name());
    if (path == "role") updated.user.set_role(spec.role());
    if (path == "disabled") updated.user.set_disabled(spec.disabled());
    if (path == "password") {
      updated.password_hash = new_hash;
      // Someone else chose it: the user should replace it.
      updated.user.set_must_change_password(id != actor.principal.user_id);
    }
  }
  ToProto(clock_->Now(), updated.user.mutable_update_time());
  audit.set_after_json(Json(updated.user));
  if (absl::c_linear_search(mask.paths(), "password")) {
    // The JSON holds no password; say that it changed.
    audit.set_action("user.reset_password");
  }
  RETURN_IF_ERROR(store_->UpdateUser(updated, end_sessions, audit));
  absl::MutexLock lock(&mu_);
  if (end_sessions) DropSessionsLocked(id);
  v1::User out = PublicUserLocked(updated);
  users_[id] = std::move(updated);
  return out;
}

absl::Status AccountRegistry::DeleteUser(const Actor& actor, const std::string& raw_id) {
  ASSIGN_OR_RETURN(std::string id, ResolveUserId(actor, raw_id));
  if (id == actor.principal.user_id) {
    return absl::FailedPreconditionError("id: you cannot delete yourself; ask another admin");
  }
  absl::MutexLock write(&write_mu_);
  v1::AuditEvent audit = NewAudit(actor, "user.delete", "user", id);
  {
    absl::ReaderMutexLock lock(&mu_);
    const store::StoredUser* user = FindUserLocked(id);
    if (user == nullptr) return absl::NotFoundError(absl::StrCat("user '", id, "' not found"));
    audit.set_before_json(Json(user->user));
  }
  RETURN_IF_ERROR(store_->DeleteUser(id, audit));
  absl::MutexLock lock(&mu_);
  DropSessionsLocked(id);
  DropKeysLocked(id);
  auto it = users_.find(id);
  if (it != users_.end()) {
    user_by_name_.erase(Lower(it->second.user.username()));
    users_.erase(it);
  }
  last_login_.erase(id);
  return absl::OkStatus();
}

absl::Status AccountRegistry::ChangePassword(const Actor& actor,
                                             const std::string& current_password,
                                             const std::string& new_password) {
  if (actor.principal.user_id.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a password belongs to a user; this call is made with ", actor.principal.name));
  }
  RETURN_IF_ERROR(ValidatePassword("new_password", new_password));
  std::string stored_hash;
  {
    absl::ReaderMutexLock lock(&mu_);
    const store::StoredUser* user = FindUserLocked(actor.principal.user_id);
    if (user == nullptr) return absl::NotFoundError("user not found");
    stored_hash = user->password_hash;
  }
  RETURN_IF_ERROR(
      CheckOwnPassword(actor.principal.user_id, stored_hash, current_password, "current_password"));
  ASSIGN_OR_RETURN(std::string new_hash, HashPassword(new_password, options_.password_cost));
  absl::MutexLock write(&write_mu_);
  store::StoredUser updated;
  {
    absl::ReaderMutexLock lock(&mu_);
    const store::StoredUser* user = FindUserLocked(actor.principal.user_id);
    if (user == nullptr) return absl::NotFoundError("user not found");
    updated = *user;
  }
  updated.password_hash = std::move(new_hash);
  updated.user.set_must_change_password(false);
  ToProto(clock_->Now(), updated.user.mutable_update_time());
  v1::AuditEvent audit =
      NewAudit(actor, "user.change_password", "user", actor.principal.user_id);
  RETURN_IF_ERROR(store_->UpdateUser(updated, /*end_sessions=*/false, audit));
  // Other sessions end (someone who knew the old password may hold one);
  // the one making the change stays signed in.
  std::vector<std::string> others;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [digest, e] : sessions_) {
      if (e->stored.user_id == actor.principal.user_id && e->stored.id != actor.principal.session_id) {
        others.push_back(e->stored.id);
      }
    }
  }
  for (const std::string& session_id : others) {
    v1::AuditEvent ended = NewAudit(actor, "session.end", "session", session_id);
    absl::Status s = store_->DeleteSession(session_id, ended);
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  absl::MutexLock lock(&mu_);
  for (const std::string& session_id : others) {
    auto by_id = session_by_id_.find(session_id);
    if (by_id == session_by_id_.end()) continue;
    sessions_.erase(by_id->second);
    session_by_id_.erase(by_id);
  }
  users_[actor.principal.user_id] = std::move(updated);
  return absl::OkStatus();
}

absl::Status AccountRegistry::CheckOwnPassword(const std::string& user_id,
                                               const std::string& stored_hash,
                                               const std::string& password,
                                               absl::string_view field) {
  const std::string throttle_key = absl::StrCat("user:", user_id);
  if (absl::Duration wait = throttle_.Blocked({throttle_key}); wait > absl::ZeroDuration()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many wrong passwords; try again in ", absl::ToInt64Seconds(wait) + 1, " s"));
  }
  if (!VerifyPassword(stored_hash, password)) {
    throttle_.RecordFailure({throttle_key});
    return absl::InvalidArgumentError(absl::StrCat(field, ": is wrong"));
  }
  return absl::OkStatus();
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

absl::StatusOr<v1::CreateApiKeyResponse> AccountRegistry::CreateApiKey(
    const Actor& actor, const std::string& requested_user, const v1::ApiKey& spec) {
  std::string user_id = requested_user.empty() ? actor.principal.user_id : requested_user;
  if (user_id == "me") user_id = actor.principal.user_id;
  if (user_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "user_id: is required: a key belongs to a user, and ", actor.principal.name,
        " is not one"));
  }
  if (user_id != actor.principal.user_id && actor.principal.role < AccessRole::kAdmin) {
    return Denied("creating a key for another user");
  }
  if (spec.name().empty() || spec.name().size() > 100) {
    return absl::InvalidArgumentError("api_key.name: must be 1..100 characters");
  }
  RETURN_IF_ERROR(ValidateRole("api_key.role", spec.role()));
  const absl::Time now = clock_->Now();
  if (spec.has_expire_time() && FromProto(spec.expire_time()) <= now) {
    return absl::InvalidArgumentError("api_key.expire_time: must be in the future");
  }
  // A session or key may not mint a stronger key than it is.
  if (ToAccessRole(spec.role()) > actor.principal.role &&
      actor.principal.kind != CredentialKind::kStaticToken) {
    return absl::PermissionDeniedError(
        "api_key.role: cannot be higher than the role of the credential creating it");
  }
  absl::MutexLock write(&write_mu_);
  store::StoredApiKey stored;
  {
    absl::ReaderMutexLock lock(&mu_);
    const store::StoredUser* owner = FindUserLocked(user_id);
    if (owner == nullptr) return absl::NotFoundError(absl::StrCat("user '", user_id, "' not found"));
    if (spec.role() > owner->user.role()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "api_key.role: cannot be higher than the owner's role (", v1::Role_Name(owner->user.role()),
          ")"));
    }
    int count = 0;
    for (const auto& [digest, key] : keys_) count += key->stored.key.user_id() == user_id;
    if (count >= options_.max_keys_per_user) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "user has ", count, " API keys, the most allowed; revoke one first"));
    }
    stored.key.set_username(owner->user.username());
  }
  const std::string secret = NewCredential("uk_");
  stored.key.set_id(NewId("k"));
  stored.key.set_user_id(user_id);
  stored.key.set_name(spec.name());
  stored.key.set_role(spec.role());
  if (spec.has_expire_time()) *stored.key.mutable_expire_time() = spec.expire_time();
  ToProto(now, stored.key.mutable_create_time());
  stored.key.set_prefix(secret.substr(0, 7));
  stored.key_hash = CredentialDigest(secret);
  v1::AuditEvent audit = NewAudit(actor, "api_key.create", "api_key", stored.key.id());
  audit.set_after_json(Json(stored.key));
  RETURN_IF_ERROR(store_->InsertApiKey(stored, audit));
  v1::CreateApiKeyResponse resp;
  *resp.mutable_api_key() = stored.key;
  resp.set_key(secret);
  absl::MutexLock lock(&mu_);
  auto entry = std::make_unique<KeyEntry>();
  entry->stored = std::move(stored);
  key_by_id_[entry->stored.key.id()] = entry->stored.key_hash;
  keys_[entry->stored.key_hash] = std::move(entry);
  return resp;
}

absl::StatusOr<std::vector<v1::ApiKey>> AccountRegistry::ListApiKeys(
    const Actor& actor, const std::string& requested_user) const {
  const bool own = requested_user.empty() || requested_user == "me";
  const bool admin = actor.principal.role >= AccessRole::kAdmin;
  // A static token has no keys of its own: the admin token sees everyone's,
  // the read token none.
  if (own && actor.principal.user_id.empty() && !admin) return std::vector<v1::ApiKey>();
  const bool all = requested_user == "-" || (own && actor.principal.user_id.empty());
  const std::string& user_id = own ? actor.principal.user_id : requested_user;
  if ((all || user_id != actor.principal.user_id) && actor.principal.role < AccessRole::kAdmin) {
    return Denied("listing another user's keys");
  }
  std::vector<v1::ApiKey> out;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [digest, key] : keys_) {
    if (all || key->stored.key.user_id() == user_id) out.push_back(PublicKey(*key));
  }
  std::sort(out.begin(), out.end(), [](const v1::ApiKey& a, const v1::ApiKey& b) {
    return std::tie(a.username(), a.name(), a.id()) < std::tie(b.username(), b.name(), b.id());
  });
  return out;
}

absl::Status AccountRegistry::RevokeApiKey(const Actor& actor, const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("id: is required");
  absl::MutexLock write(&write_mu_);
  v1::AuditEvent audit = NewAudit(actor, "api_key.revoke", "api_key", id);
  {
    absl::ReaderMutexLock lock(&mu_);
    auto by_id = key_by_id_.find(id);
    if (by_id == key_by_id_.end()) {
      return absl::NotFoundError(absl::StrCat("API key '", id, "' not found"));
    }
    const KeyEntry& key = *keys_.at(by_id->second);
    if (key.stored.key.user_id() != actor.principal.user_id &&
        actor.principal.role < AccessRole::kAdmin) {
      // Not "denied": whether another user's key exists is not the caller's
      // business.
      return absl::NotFoundError(absl::StrCat("API key '", id, "' not found"));
    }
    audit.set_before_json(Json(key.stored.key));
  }
  RETURN_IF_ERROR(store_->DeleteApiKey(id, audit));
  absl::MutexLock lock(&mu_);
  auto by_id = key_by_id_.find(id);
  if (by_id != key_by_id_.end()) {
    keys_.erase(by_id->second);
    key_by_id_.erase(by_id);
  }
  return absl::OkStatus();
}

absl::StatusOr<LoginResult> AccountRegistry::Login(const v1::LoginRequest& request,
                                                   const std::string& client_address) {
  const std::string name_key = absl::StrCat("user:", Lower(request.username()));
  const std::string addr_key = client_address.empty() ? "" : absl::StrCat("addr:", client_address);
  Actor anonymous{.principal = {.kind = CredentialKind::kNone, .name = request.username()},
                  .client_address = client_address};
  if (request.username().empty() || request.username().size() > 64) {
    return absl::InvalidArgumentError("username: must be 1..64 characters");
  }
  if (request.password().size() > 1024) {
    return absl::UnauthenticatedError(kInvalidLogin);
  }
  if (absl::Duration wait = throttle_.Blocked({name_key, addr_key}); wait > absl::ZeroDuration()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many failed sign-ins; try again in ", absl::ToInt64Seconds(wait) + 1, " s"));
  }
  store::StoredUser user;
  bool found = false;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = user_by_name_.find(Lower(request.username()));
    if (it != user_by_name_.end()) {
      user = users_.at(it->second);
      found = true;
    }
  }
  const bool password_ok =
      VerifyPassword(found ? user.password_hash : dummy_hash_, request.password()) && found;
  if (!password_ok || user.user.disabled()) {
    RecordFailedSignIn(anonymous, found ? user.user.id() : "", name_key, addr_key);
    return absl::UnauthenticatedError(kInvalidLogin);
  }
  const absl::Time now = clock_->Now();
  if (!user.totp_secret.empty()) {
    if (request.totp_code().empty()) {
      return absl::FailedPreconditionError("totp_code: required (the user has a second factor)");
    }
    int64_t after = 0;
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = last_totp_step_.find(user.user.id());
      if (it != last_totp_step_.end()) after = it->second;
    }
    std::optional<int64_t> step = VerifyTotp(user.totp_secret, request.totp_code(), now, after);
    if (!step.has_value()) {
      RecordFailedSignIn(anonymous, user.user.id(), name_key, addr_key);
      return absl::UnauthenticatedError("totp_code: wrong or expired code");
    }
    absl::MutexLock lock(&mu_);
    last_totp_step_[user.user.id()] = *step;
  }
  throttle_.RecordSuccess({name_key, addr_key});

  LoginResult result;
  result.session_token = NewCredential("us_");
  auto entry = std::make_unique<SessionEntry>();
  store::StoredSession& s = entry->stored;
  s.id = NewId("s");
  s.token_hash = CredentialDigest(result.session_token);
  s.user_id = user.user.id();
  s.create_time = now;
  s.last_seen_time = now;
  s.expire_time = now + options_.session_max_age;
  s.client_address = client_address;
  entry->last_seen_ms = ToMs(now);
  entry->flushed_ms = ToMs(now);
  Actor actor{.principal = {.role = ToAccessRole(user.user.role()),
                            .kind = CredentialKind::kSession,
                            .name = user.user.username(),
                            .user_id = user.user.id(),
                            .session_id = s.id},
              .client_address = client_address};
  result.principal = actor.principal;
  result.principal.idle_expire_time = now + options_.session_idle_timeout;
  result.principal.expire_time = s.expire_time;
  result.principal.must_change_password = user.user.must_change_password();
  v1::AuditEvent audit = NewAudit(actor, "session.login", "session", s.id);
  absl::MutexLock write(&write_mu_);
  {
    // Oldest sessions beyond the bound end: a script that signs in in a loop
    // cannot grow memory without limit.
    std::vector<std::pair<absl::Time, std::string>> mine;
    {
      absl::ReaderMutexLock lock(&mu_);
      for (const auto& [digest, e] : sessions_) {
        if (e->stored.user_id == s.user_id) mine.emplace_back(e->stored.create_time, e->stored.id);
      }
    }
    if (static_cast<int>(mine.size()) >= options_.max_sessions_per_user) {
      std::sort(mine.begin(), mine.end());
      const std::string oldest = mine.front().second;
      v1::AuditEvent ended = NewAudit(actor, "session.evict", "session", oldest);
      if (store_->DeleteSession(oldest, ended).ok()) {
        absl::MutexLock lock(&mu_);
        sessions_.erase(session_by_id_[oldest]);
        session_by_id_.erase(oldest);
      }
    }
  }
  RETURN_IF_ERROR(store_->InsertSession(s, audit));
  absl::MutexLock lock(&mu_);
  last_login_[s.user_id] = now;
  session_by_id_[s.id] = s.token_hash;
  sessions_[s.token_hash] = std::move(entry);
  return result;
}

absl::StatusOr<v1::TotpEnrollment> AccountRegistry::BeginTotpEnrollment(const Actor& actor) {
  if (actor.principal.user_id.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a second factor belongs to a user; this call is made with ", actor.principal.name));
  }
  const std::string secret = NewTotpSecret();
  v1::TotpEnrollment out;
  absl::MutexLock lock(&mu_);
  const store::StoredUser* user = FindUserLocked(actor.principal.user_id);
  if (user == nullptr) return absl::NotFoundError("user not found");
  pending_totp_[actor.principal.user_id] = {secret, clock_->Now() + absl::Minutes(10)};
  out.set_secret(secret);
  out.set_otpauth_url(TotpUrl("Uptime Monitor", user->user.username(), secret));
  return out;
}

absl::Status AccountRegistry::ConfirmTotpEnrollment(const Actor& actor, const std::string& code) {
  const absl::Time now = clock_->Now();
  std::string secret;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = pending_totp_.find(actor.principal.user_id);
    if (it == pending_totp_.end() || it->second.expires <= now) {
      return absl::FailedPreconditionError(
          "no second factor is being set up (or it took over 10 minutes): begin again");
    }
    secret = it->second.secret;
  }
  std::optional<int64_t> step = VerifyTotp(secret, code, now, 0);
  if (!step.has_value()) {
    return absl::InvalidArgumentError(
        "code: does not match; check the phone's clock and enter the current code");
  }
  absl::MutexLock write(&write_mu_);
  store::StoredUser updated;
  {
    absl::ReaderMutexLock lock(&mu_);
    const store::StoredUser* user = FindUserLocked(actor.principal.user_id);
    if (user == nullptr) return absl::NotFoundError("user not found");
    updated = *user;
  }
  v1::AuditEvent audit = NewAudit(actor, "user.totp_enable", "user", actor.principal.user_id);
  updated.totp_secret = secret;
  ToProto(now, updated.user.mutable_update_time());
  RETURN_IF_ERROR(store_->UpdateUser(updated, /*end_sessions=*/false, audit));
  absl::MutexLock lock(&mu_);
  pending_totp_.erase(actor.principal.user_id);
  last_totp_step_[actor.principal.user_id] = *step;
  users_[actor.principal.user_id] = std::move(updated);
  return absl::OkStatus();
}

absl::Status AccountRegistry::DisableTotp(const Actor& actor, const std::string& requested,
                                          const std::string& password) {
  const bool own = requested.empty() || requested == "me" || requested == actor.principal.user_id;
  const std::string user_id = own ? actor.principal.user_id : requested;
  if (user_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "user_id: is required: ", actor.principal.name, " is not a user"));
  }
  if (!own && actor.principal.role < AccessRole::kAdmin) {
    return Denied("removing another user's second factor");
  }
  store::StoredUser updated;
  {
    absl::ReaderMutexLock lock(&mu_);
    const store::StoredUser* user = FindUserLocked(user_id);
    if (user == nullptr) return absl::NotFoundError(absl::StrCat("user '", user_id, "' not found"));
    updated = *user;
  }
  if (own) {
    RETURN_IF_ERROR(CheckOwnPassword(user_id, updated.password_hash, password, "password"));
  }
  if (updated.totp_secret.empty()) return absl::OkStatus();
  absl::MutexLock write(&write_mu_);
  v1::AuditEvent audit = NewAudit(actor, "user.totp_disable", "user", user_id);
  updated.totp_secret.clear();
  ToProto(clock_->Now(), updated.user.mutable_update_time());
  RETURN_IF_ERROR(store_->UpdateUser(updated, /*end_sessions=*/false, audit));
  absl::MutexLock lock(&mu_);
  auto it = users_.find(user_id);
  if (it != users_.end()) {
    it->second.totp_secret.clear();
    *it->second.user.mutable_update_time() = updated.user.update_time();
  }
  return absl::OkStatus();
}

void AccountRegistry::RecordFailedSignIn(const Actor& anonymous, const std::string& user_id,
                                         const std::string& name_key,
                                         const std::string& addr_key) {
  absl::Duration lockout = throttle_.RecordFailure({name_key, addr_key});
  if (lockout > absl::ZeroDuration()) {
    spdlog::warn("sign-in: repeated failures for user '{}' from {}; locked out for {}",
                 anonymous.principal.name,
                 anonymous.client_address.empty() ? "?" : anonymous.client_address,
                 absl::FormatDuration(lockout));
  }
  v1::AuditEvent audit = NewAudit(anonymous, "session.login_failed", "user", user_id);
  audit.set_actor_user_id(user_id);
  if (absl::Status s = store_->AppendAudit(audit); !s.ok()) {
    spdlog::warn("audit: cannot record a failed sign-in: {}", std::string(s.message()));
  }
}

absl::Status AccountRegistry::Logout(const Actor& actor) {
  if (actor.principal.kind != CredentialKind::kSession) return absl::OkStatus();
  absl::MutexLock write(&write_mu_);
  v1::AuditEvent audit = NewAudit(actor, "session.logout", "session", actor.principal.session_id);
  absl::Status s = store_->DeleteSession(actor.principal.session_id, audit);
  if (!s.ok() && !absl::IsNotFound(s)) return s;
  absl::MutexLock lock(&mu_);
  auto by_id = session_by_id_.find(actor.principal.session_id);
  if (by_id != session_by_id_.end()) {
    sessions_.erase(by_id->second);
    session_by_id_.erase(by_id);
  }
  return absl::OkStatus();
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
