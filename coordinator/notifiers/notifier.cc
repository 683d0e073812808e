#include "coordinator/notifiers/notifier.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace uptime::notifiers {

bool IsValidNotifierName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

absl::Status NotifierRegistry::Register(std::unique_ptr<NotifierFactory> factory) {
  if (factory == nullptr) return absl::InvalidArgumentError("null notifier factory");
  std::string name = factory->name();
  if (!IsValidNotifierName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "notifier type name \"", name, "\" must be 1..64 characters of [a-z0-9_-]"));
  }
  absl::MutexLock lock(&mu_);
  if (factories_.contains(name)) {
    return absl::AlreadyExistsError(
        absl::StrCat("notifier type \"", name, "\" is already registered"));
  }
  factories_.emplace(std::move(name), std::move(factory));
  return absl::OkStatus();
}

const NotifierFactory* NotifierRegistry::Find(absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : it->second.get();
}

std::vector<std::string> NotifierRegistry::names() const {
  std::vector<std::string> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, factory] : factories_) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<const NotifierFactory*> NotifierRegistry::FindOrError(
    absl::string_view type) const {
  const NotifierFactory* factory = Find(type);
  if (factory == nullptr) {
    // The type is not a secret; clip it so a garbage value cannot flood logs.
    return absl::InvalidArgumentError(absl::StrCat(
        "type: unknown notifier type \"", type.substr(0, 64), "\"; known types: ",
        absl::StrJoin(names(), ", ")));
  }
  return factory;
}

absl::Status NotifierRegistry::Validate(absl::string_view type,
                                        const NotifierConfig& config) const {
  absl::StatusOr<const NotifierFactory*> factory = FindOrError(type);
  if (!factory.ok()) return factory.status();
  return (*factory)->ValidateConfig(config);
}

absl::StatusOr<std::unique_ptr<Notifier>> NotifierRegistry::Create(
    absl::string_view type, const NotifierConfig& config, const NotifierDeps& deps) const {
  absl::StatusOr<const NotifierFactory*> factory = FindOrError(type);
  if (!factory.ok()) return factory.status();
  return (*factory)->Create(config, deps);
}

std::string RedactSecret(absl::string_view value) {
  if (value.size() < 12) return "****";
  return absl::StrCat("****", value.substr(value.size() - 4));
}

NotifierConfig RedactConfig(const NotifierFactory& factory, const NotifierConfig& config) {
  NotifierConfig out = config;
  for (const std::string& key : factory.SecretKeys()) {
    auto it = out.find(key);
    if (it != out.end()) it->second = RedactSecret(it->second);
  }
  return out;
}

NotifierConfig RestoreRedactedSecrets(const NotifierFactory& factory,
                                      const NotifierConfig& previous,
                                      const NotifierConfig& updated) {
  NotifierConfig out = updated;
  for (const std::string& key : factory.SecretKeys()) {
    auto old_it = previous.find(key);
    auto new_it = out.find(key);
    if (old_it == previous.end() || new_it == out.end()) continue;
    if (new_it->second == RedactSecret(old_it->second)) new_it->second = old_it->second;
  }
  return out;
}

absl::Status RetryableError(absl::string_view message,
                            std::optional<absl::Duration> retry_after) {
  absl::Status status = absl::UnavailableError(message);
  if (retry_after.has_value() && *retry_after >= absl::ZeroDuration()) {
    status.SetPayload(kRetryAfterPayloadUrl,
                      absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(*retry_after))));
  }
  return status;
}

absl::Status PermanentError(absl::string_view message, bool config_problem) {
  return config_problem ? absl::FailedPreconditionError(message)
                        : absl::InvalidArgumentError(message);
}

bool IsRetryable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable;
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryAfterPayloadUrl);  // absl::optional here
  if (!payload.has_value()) return std::nullopt;
  int64_t millis = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &millis) || millis < 0) return std::nullopt;
  return absl::Milliseconds(millis);
}

}  // namespace uptime::notifiers
