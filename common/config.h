// Values every binary's configuration parses (HOST:PORT, labels), the build's
// version and the host name. Flag registration is in common/flags.h, which
// alone pulls in CLI11.
#ifndef UPTIME_COMMON_CONFIG_H_
#define UPTIME_COMMON_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime {

struct HostPort {
  std::string host;
  int port = 0;
};

// Parses "HOST:PORT" or "[V6]:PORT"; INVALID_ARGUMENT naming `field`. Port 0
// (any free port) only for listeners that allow it.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view field, absl::string_view value,
                                       bool allow_port_zero = false);

// Parses "k=v,k2=v2" into labels; INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::map<std::string, std::string>> ParseLabels(absl::string_view field,
                                                               absl::string_view value);

// The version string of this build.
const char* Version();

// This machine's host name (a pod's name under Kubernetes); `fallback` when
// it cannot be read.
std::string HostName(absl::string_view fallback);

}  // namespace uptime

#endif  // UPTIME_COMMON_CONFIG_H_
