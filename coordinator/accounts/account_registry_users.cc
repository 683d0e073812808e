#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/accounts/account_registry.h"
#include "coordinator/accounts/account_registry_helpers.h"
#include "coordinator/catalog/catalog.h"

// AccountRegistry: users (create, read, list, update, delete) and
// passwords (changing one's own, confirming it for sensitive changes).

namespace uptime::coordinator {
namespace {

using account_registry_internal::Denied;
using account_registry_internal::Json;
using account_registry_internal::Lower;
using account_registry_internal::ValidateRole;

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

absl::Status ValidateDisplayName(absl::string_view name) {
  if (name.size() > 200) {
    return absl::InvalidArgumentError("user.display_name: must be at most 200 characters");
  }
  return absl::OkStatus();
}

}  // namespace

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
  ASSIGN_OR_RETURN(store::StoredUser updated, CopyUser(id));
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
  ASSIGN_OR_RETURN(const store::StoredUser user, CopyUser(id));
  audit.set_before_json(Json(user.user));
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
  ASSIGN_OR_RETURN(const store::StoredUser current, CopyOwnUser(actor));
  RETURN_IF_ERROR(CheckOwnPassword(actor.principal.user_id, current.password_hash,
                                   current_password, "current_password"));
  ASSIGN_OR_RETURN(std::string new_hash, HashPassword(new_password, options_.password_cost));
  absl::MutexLock write(&write_mu_);
  ASSIGN_OR_RETURN(store::StoredUser updated, CopyOwnUser(actor));
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

}  // namespace uptime::coordinator
