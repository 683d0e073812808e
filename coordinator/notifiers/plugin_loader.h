// Loads third-party notifier plugins (shared objects speaking the C ABI of
// plugin_abi.h) and registers each as a NotifierFactory.
//
// A bad plugin (not loadable, no entry point, wrong ABI version, malformed
// descriptor, name already taken) is reported and skipped; the others still
// load, because one broken extension must not silence every channel of an
// uptime monitor. Plugins stay loaded for the life of the process: factories
// and notifiers hold a reference to their library.
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<PluginLoadResult> results,
//                    LoadNotifierPlugins(flags.plugin_dir, &registry));
//   for (const auto& r : results) if (!r.name.ok()) ... report r.name.status()
#ifndef UPTIME_COORDINATOR_NOTIFIERS_PLUGIN_LOADER_H_
#define UPTIME_COORDINATOR_NOTIFIERS_PLUGIN_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/notifiers/notifier.h"

namespace uptime::notifiers {

struct PluginLoadResult {
  std::string path;
  // The registered type name, or why the plugin was skipped (the message
  // names the file).
  absl::StatusOr<std::string> name;
};

// Loads the plugin at `path` and registers it. FAILED_PRECONDITION for an
// unloadable or malformed plugin, ALREADY_EXISTS for a taken name.
absl::StatusOr<std::string> LoadNotifierPlugin(const std::string& path,
                                               NotifierRegistry* registry);

// LoadNotifierPlugin for every regular file named *.so in `dir` (not
// recursive), in name order. NOT_FOUND / FAILED_PRECONDITION when `dir`
// cannot be read; otherwise one result per *.so file, each also logged.
absl::StatusOr<std::vector<PluginLoadResult>> LoadNotifierPlugins(const std::string& dir,
                                                                  NotifierRegistry* registry);

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_PLUGIN_LOADER_H_
