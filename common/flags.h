// Command-line flags with environment fallbacks, shared by every binary.
//
// Every flag `--some-flag` also reads `UPTIME_SOME_FLAG` when not given on the
// command line, so Kubernetes manifests can use either.
//
// Example:
//   CLI::App app{"uptime-agent"};
//   AddFlag(app, "coordinator", config.coordinator, "HOST:PORT of the coordinator");
//   CLI11_PARSE(app, argc, argv);
//
// CLI11 costs about 6 s of compile time in every file that includes it (its
// validators are globals built in each translation unit), so only the files
// that register flags include this header.
#ifndef UPTIME_COMMON_FLAGS_H_
#define UPTIME_COMMON_FLAGS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/config.h"

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

// INVALID_ARGUMENT naming the first UPTIME_* environment variable that no
// option of `app` reads: a misspelt key in a manifest (UPTIME_ADMN_TOKEN)
// would otherwise be ignored in silence. Used by --check-config.
absl::Status CheckUnknownEnvironment(const CLI::App& app);

}  // namespace uptime

#endif  // UPTIME_COMMON_FLAGS_H_
