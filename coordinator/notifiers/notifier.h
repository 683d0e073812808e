// Notifier plugins: the interface, its factories and the registry by type
// name (Envoy's registry shape: name -> factory, duplicates rejected, tests
// inject their own factories).
//
// A Channel (uptime.v1.Channel) names a type ("slack", "webhook",
// "pagerduty", "email" or a loaded plugin's name) and a string map of config.
// The registry finds the type's factory, which validates the config and
// creates a Notifier. Alerting calls Send() and decides about retries from
// the returned Status alone:
//
//   OK                   delivered (the receiver accepted it)
//   UNAVAILABLE          retryable: network error, timeout, HTTP 5xx, 408,
//                        429, SMTP 4xx. May carry a Retry-After delay
//                        (RetryAfter() reads it) that the sender must wait
//                        at least.
//   INVALID_ARGUMENT     permanent: the receiver rejected the message (HTTP
//                        400, 413, 422)
//   FAILED_PRECONDITION  permanent: the channel's config is wrong or revoked
//                        (HTTP 401/403/404/410, redirects, SMTP 5xx, bad
//                        credentials); retrying cannot help until someone
//                        edits the channel
//
// Status messages never contain secret config values (webhook URLs, routing
// keys, passwords, HMAC secrets): they are shown in TestChannel responses and
// logs.
//
// Example:
//   NotifierRegistry registry;
//   RETURN_IF_ERROR(RegisterBuiltinNotifiers(&registry));
//   ASSIGN_OR_RETURN(std::unique_ptr<Notifier> n,
//                    registry.Create(channel.type(), config, deps));
//   absl::Status s = n->Send(alert);
//   if (IsRetryable(s)) RetryLater(RetryAfter(s).value_or(backoff));
#ifndef UPTIME_COORDINATOR_NOTIFIERS_NOTIFIER_H_
#define UPTIME_COORDINATOR_NOTIFIERS_NOTIFIER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/notifiers/alert.h"

namespace uptime::notifiers {

// A channel's type-specific settings, as in uptime.v1.Channel.config.
using NotifierConfig = std::map<std::string, std::string>;

// Delivers alerts to one configured channel. Send() is thread-safe and
// blocking (at most about the configured timeout per request); callers run
// it off latency-critical threads.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual absl::Status Send(const Alert& alert) = 0;
};

// What notifiers need from the process, injected so tests control it.
struct NotifierDeps {
  // Timestamps in signatures and messages. Not owned; must outlive the
  // notifiers. Null means RealClock::Get().
  Clock* clock = nullptr;
  // Per-request timeout (connect + transfer).
  absl::Duration timeout = absl::Seconds(10);
  // PEM bundle used instead of the system CA store to verify TLS peers
  // (e.g. a corporate CA, or a test's self-signed certificate). Empty: the
  // system store. Verification is never turned off.
  std::string ca_file;
};

// Makes Notifiers of one type. Implementations are immutable and thread-safe.
class NotifierFactory {
 public:
  virtual ~NotifierFactory() = default;

  // The type name channels use: lower case [a-z0-9_-], 1..64 chars.
  virtual std::string name() const = 0;

  // OK, or INVALID_ARGUMENT whose message starts with the offending key,
  // e.g. "config.webhook_url: must be an https:// URL". Unknown keys are
  // errors too, so typos do not silently drop settings. Never echoes secret
  // values.
  virtual absl::Status ValidateConfig(const NotifierConfig& config) const = 0;

  // Config keys whose values are write-only (redacted in API responses).
  virtual std::vector<std::string> SecretKeys() const = 0;

  // A notifier for `config`, which Create validates again.
  virtual absl::StatusOr<std::unique_ptr<Notifier>> Create(
      const NotifierConfig& config, const NotifierDeps& deps) const = 0;
};

// Type name -> factory. Thread-safe; factories live as long as the registry
// and are never removed, so pointers from Find() stay valid.
class NotifierRegistry {
 public:
  NotifierRegistry() = default;
  NotifierRegistry(const NotifierRegistry&) = delete;
  NotifierRegistry& operator=(const NotifierRegistry&) = delete;

  // INVALID_ARGUMENT for a null factory or a malformed name; ALREADY_EXISTS
  // when the name is taken (a plugin cannot replace a built-in).
  absl::Status Register(std::unique_ptr<NotifierFactory> factory);

  // The factory for `name`, or null.
  const NotifierFactory* Find(absl::string_view name) const;

  // Registered type names, sorted.
  std::vector<std::string> names() const;

  // Find + ValidateConfig; INVALID_ARGUMENT "type: unknown notifier type ..."
  // for an unregistered type.
  absl::Status Validate(absl::string_view type, const NotifierConfig& config) const;

  // Find + Create, with the same unknown-type error.
  absl::StatusOr<std::unique_ptr<Notifier>> Create(absl::string_view type,
                                                   const NotifierConfig& config,
                                                   const NotifierDeps& deps) const;

 private:
  absl::StatusOr<const NotifierFactory*> FindOrError(absl::string_view type) const;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<NotifierFactory>> factories_
      ABSL_GUARDED_BY(mu_);
};

// Registers slack, webhook, pagerduty and email. Explicit rather than static
// registration, which the linker drops from static libraries.
absl::Status RegisterBuiltinNotifiers(NotifierRegistry* registry);

// True for a well-formed type name (see NotifierFactory::name).
bool IsValidNotifierName(absl::string_view name);

// `config` with every secret value replaced by RedactSecret(value).
NotifierConfig RedactConfig(const NotifierFactory& factory, const NotifierConfig& config);

// "****" + the last 4 characters; only "****" for values shorter than 12
// characters, where 4 would reveal too much of the secret.
std::string RedactSecret(absl::string_view value);

// For updates: a client that read a channel gets redacted secrets back and
// may send them unchanged. Returns `updated` with each secret whose value
// equals RedactSecret(previous value) replaced by the previous value.
NotifierConfig RestoreRedactedSecrets(const NotifierFactory& factory,
                                      const NotifierConfig& previous,
                                      const NotifierConfig& updated);

// --- Delivery outcome helpers (see the table at the top). ---

// UNAVAILABLE with `message`, and `retry_after` stored as a status payload.
absl::Status RetryableError(absl::string_view message,
                            std::optional<absl::Duration> retry_after = std::nullopt);
// FAILED_PRECONDITION (config problem) or INVALID_ARGUMENT (message rejected).
absl::Status PermanentError(absl::string_view message, bool config_problem = true);

// Whether the sender should try again later.
bool IsRetryable(const absl::Status& status);

// The receiver's requested minimum delay (Retry-After), if any.
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

// Status payload type URL holding the Retry-After delay as decimal
// milliseconds; public so other layers (e.g. the outbox) can copy it.
inline constexpr absl::string_view kRetryAfterPayloadUrl =
    "type.uptime.dev/uptime.notifiers.RetryAfterMillis";

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_NOTIFIER_H_
