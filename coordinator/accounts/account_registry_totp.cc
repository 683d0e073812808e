#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/accounts/account_registry.h"
#include "coordinator/accounts/account_registry_helpers.h"
#include "coordinator/accounts/totp.h"

// AccountRegistry: the TOTP second factor (enroll, confirm, disable). The
// code check at sign-in is in account_registry_sessions.cc.

namespace uptime::coordinator {
namespace {

using account_registry_internal::Denied;

}  // namespace

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
  ASSIGN_OR_RETURN(store::StoredUser updated, CopyOwnUser(actor));
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
  ASSIGN_OR_RETURN(store::StoredUser updated, CopyUser(user_id));
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

}  // namespace uptime::coordinator
