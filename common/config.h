// Command-line flags with environment fallbacks, shared by every binary.
//
// Every flag `--some-flag` also reads `UPTIME_SOME_FLAG` when not given on the
// command line, so Kubernetes manifests can use either.
//
// Example:
//   CLI::App app{"uptime-agent"};
//   AddFlag(app, "coordinator", config.coordinator, "HOST:PORT of the coordinator");
//   CLI11_PARSE(app, argc, argv);
#ifndef UPTIME_COMMON_CONFIG_H_
#define UPTIME_COMMON_CONFIG_H_

#include <map>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime {

// "some-flag" -> "UPTIME_SOME_FLAG".
std::string EnvName(absl::string_view flag);

// Adds `--name` bound to `var` with its env fallback, showing the default.
template <typename T>
CLI::Option* AddFlag(CLI::App& app, const std::string& name, T& var, const std::string& help) {
  return app.add_option("--" + name, var, help)->envname(EnvName(name))->capture_default_str();
}

// Adds a boolean `--name` switch (env value "true"/"1" turns it on).
CLI::Option* AddSwitch(CLI::App& app, const std::string& name, bool& var, const std::string& help);

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

// INVALID_ARGUMENT naming the first UPTIME_* environment variable that no
// option of `app` reads: a misspelt key in a manifest (UPTIME_ADMN_TOKEN)
// would otherwise be ignored in silence. Used by --check-config.
absl::Status CheckUnknownEnvironment(const CLI::App& app);

// The version string of this build.
const char* Version();

// This machine's host name (a pod's name under Kubernetes); `fallback` when
// it cannot be read.
std::string HostName(absl::string_view fallback);

}  // namespace uptime

#endif  // UPTIME_COMMON_CONFIG_H_
