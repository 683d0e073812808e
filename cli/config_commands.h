// `uptimectl config ...`: the named contexts of config_contexts.h, edited
// from the shell the way `kubectl config` edits a kubeconfig.
#ifndef UPTIME_CLI_CONFIG_COMMANDS_H_
#define UPTIME_CLI_CONFIG_COMMANDS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/commands.h"

namespace uptime::cli {

// config get-contexts | current-context | use-context NAME |
// set-context NAME [flags] | delete-context NAME | view. None needs a
// coordinator. `path` is the config file (ConfigPath()); its error is what
// every config command reports when there is none.
void AddConfigCommands(CLI::App& root, CommandTable& table, absl::StatusOr<std::string> path);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_CONFIG_COMMANDS_H_
