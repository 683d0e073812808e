#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/accounts/account_registry.h"
#include "coordinator/accounts/account_registry_helpers.h"
#include "coordinator/catalog/catalog.h"

// AccountRegistry: API keys (create, list, revoke), with the ownership and
// role rules that bound what a key may do.

namespace uptime::coordinator {
namespace {

using account_registry_internal::Denied;
using account_registry_internal::FromMs;
using account_registry_internal::Json;
using account_registry_internal::ValidateRole;

}  // namespace

v1::ApiKey AccountRegistry::PublicKey(const KeyEntry& key) const {
  v1::ApiKey out = key.stored.key;
  const int64_t used = key.last_used_ms.load(std::memory_order_relaxed);
  if (used > 0) ToProto(FromMs(used), out.mutable_last_used_time());
  return out;
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

}  // namespace uptime::coordinator
