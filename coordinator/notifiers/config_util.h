// Helpers the built-in factories share to validate channel config. Every
// error is INVALID_ARGUMENT and starts with "config.<key>: ", so API users
// see which setting to fix; values are never echoed (they may be secrets).
#ifndef UPTIME_COORDINATOR_NOTIFIERS_CONFIG_UTIL_H_
#define UPTIME_COORDINATOR_NOTIFIERS_CONFIG_UTIL_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "coordinator/notifiers/notifier.h"

namespace uptime::notifiers {

// INVALID_ARGUMENT "config.<key>: <what>".
absl::Status ConfigError(absl::string_view key, absl::string_view what);

// Rejects keys outside `allowed` (typos would otherwise drop a setting).
absl::Status CheckKnownKeys(const NotifierConfig& config,
                            std::initializer_list<absl::string_view> allowed);

// The value, or "" when absent.
std::string Get(const NotifierConfig& config, absl::string_view key);

// Requires a non-empty value.
absl::Status RequireKey(const NotifierConfig& config, absl::string_view key);

// How strict a URL check is.
enum class UrlRule {
  // https://, or http:// to a loopback host (tests, a local relay): for
  // receivers that are always HTTPS in production (Slack, PagerDuty).
  kHttpsOrLoopback,
  // http:// or https:// (internal webhooks inside a cluster network).
  kHttpOrHttps,
};

// A syntactically valid absolute URL with a host, per `rule`.
absl::Status ValidateHttpUrl(absl::string_view key, absl::string_view url, UrlRule rule);

// Splits a comma-separated list, trimming blanks and dropping empty items.
std::vector<std::string> SplitList(absl::string_view value);

// Whether `address` looks like a mailbox: local@domain, printable ASCII, no
// spaces, angle brackets or CR/LF (which would inject SMTP commands).
bool IsPlausibleEmail(absl::string_view address);

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_CONFIG_UTIL_H_
