#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/accounts/account_registry.h"
#include "coordinator/accounts/account_registry_helpers.h"
#include "coordinator/accounts/totp.h"
#include "coordinator/catalog/catalog.h"
#include "spdlog/spdlog.h"

// AccountRegistry: signing in (password, second factor, throttling) and out,
// and the sessions that sign-in creates.

namespace uptime::coordinator {
namespace {

using account_registry_internal::Lower;
using account_registry_internal::ToMs;

constexpr char kInvalidLogin[] = "invalid username or password";

}  // namespace

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

}  // namespace uptime::coordinator
