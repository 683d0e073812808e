// Shell completion for uptimectl: `uptimectl completion bash|zsh` prints a
// script generated from the CLI11 command tree, so a new command or flag is
// completed without touching this file.
//
// The script is static tables (each visible command's subcommands, flags,
// flags taking a value, fixed choices such as -o's {table,json,yaml}) and a
// small walker over the words typed so far. Global flags are offered at every
// level because uptimectl accepts them after the command name too. The one
// live part: a positional whose description begins with "Monitor id" is
// completed with the coordinator's monitor ids from the hidden
// `uptimectl __complete monitors`, run with the connection flags already on
// the line (and UPTIME_TIMEOUT=2s, so a dead address cannot hang the shell).
//
// Example:
//   source <(uptimectl completion bash)        # bash, ~/.bashrc
//   uptimectl completion zsh > "${fpath[1]}/_uptimectl"   # zsh
#ifndef UPTIME_CLI_COMPLETION_H_
#define UPTIME_CLI_COMPLETION_H_

#include <string>

#include "CLI/CLI.hpp"
#include "cli/commands.h"

namespace uptime::cli {

enum class Shell { kBash, kZsh };

// The completion script for `shell` describing `root` (whose name the script
// registers for) and its visible subcommands; hidden ones, group "", are left
// out.
std::string CompletionScript(const CLI::App& root, Shell shell);

// completion bash|zsh (no coordinator needed) and the hidden
// __complete monitors (ids, one per line).
void AddCompletionCommands(CLI::App& root, CommandTable& table);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_COMPLETION_H_
