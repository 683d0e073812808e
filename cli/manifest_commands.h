// Monitors as code: `apply -f`, `diff -f`, `validate -f` and `export`.
//
// The logic lives in cli/manifest (loading with positions, validation with
// the server's own rules, planning, export); these commands fetch the
// server's objects, print and run the plan. See docs/monitors-as-code.md.
//
// Exit codes (on top of cli.h's): `diff` exits 0 when the server matches the
// files and 1 when it does not (like `kubectl diff`, and like `channels test`
// for "the check failed"); files with an error make every command exit 2
// before any RPC, and nothing changes.
#ifndef UPTIME_CLI_MANIFEST_COMMANDS_H_
#define UPTIME_CLI_MANIFEST_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/commands.h"

namespace uptime::cli {

// apply, diff, validate, export.
void AddManifestCommands(CLI::App& root, CommandTable& table);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_MANIFEST_COMMANDS_H_
