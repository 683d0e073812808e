// The command set of uptimectl, as CLI11 subcommands bound to actions.
//
// Each Add*Commands function declares its subcommands and flags on the root
// app and records one action per leaf subcommand in a CommandTable; RunCli
// (cli.h) parses, looks up the chosen leaf and runs its action. Actions get
// everything they touch through CommandEnv, so they run unchanged against a
// fake coordinator in tests.
#ifndef UPTIME_CLI_COMMANDS_H_
#define UPTIME_CLI_COMMANDS_H_

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "cli/api.h"
#include "cli/output.h"

namespace uptime::cli {

// What an action runs with; owned by RunCli for the duration of the run.
struct CommandEnv {
  const Api* api = nullptr;  // null for actions that need no coordinator
  Printer* printer = nullptr;
  std::ostream* err = nullptr;  // per-item errors and hints for people
};

using Action = std::function<absl::Status(CommandEnv&)>;

// Leaf subcommand -> action. Filled once while building the app; read-only
// afterwards.
class CommandTable {
 public:
  struct Entry {
    Action action;
    bool needs_api = true;
  };

  void Add(const CLI::App* command, Action action, bool needs_api = true);
  // Null when `command` has no action (a group such as `monitors`).
  const Entry* Find(const CLI::App* command) const;

 private:
  std::map<const CLI::App*, Entry> entries_;
};

// monitors add|list|get|rm|pause|resume.
void AddMonitorCommands(CLI::App& root, CommandTable& table);

// status [ID], agents, cluster, version.
void AddStatusCommands(CLI::App& root, CommandTable& table);

// maintenance add|list|get|rm.
void AddMaintenanceCommands(CLI::App& root, CommandTable& table);

// status-pages list|get|create|update|delete.
void AddStatusPageCommands(CLI::App& root, CommandTable& table);

// Marks `status` as the user's mistake, found before any RPC: exit code 2
// instead of 1, even though the code (INVALID_ARGUMENT) is the one the server
// would use.
absl::Status UsageError(absl::Status status);
bool IsUsageError(const absl::Status& status);

// The line printed for a failure, without a newline: "error: <message>" for
// usage errors, "error: <CODE>: <message>" for failed RPCs.
std::string FormatError(const absl::Status& status);

// The body of `... rm ID...` commands: runs `delete_one` for each name as
// typed. NOT_FOUND on one does not stop the others (the goal, "gone",
// holds); any other failure (auth, unreachable) would repeat for every name,
// so it stops there. Tables get a "deleted NAME" line each, JSON and YAML
// one {"deleted": [...]} document. Earlier failures are printed to env.err,
// the last one is returned for RunCli to print and turn into the exit code.
absl::Status DeleteEach(CommandEnv& env, const std::vector<std::string>& names,
                        absl::FunctionRef<absl::Status(const std::string&)> delete_one);

// The end of a paged list command: `merged` (holding `items` items) as JSON
// or YAML, or the table `make_table` builds. For people an empty table is
// "no NOUN found" on env.err instead, and a table showing one page of
// several is followed there by how to get the rest.
absl::Status PrintList(CommandEnv& env, const google::protobuf::Message& merged, int items,
                       const std::string& next_page_token, absl::string_view noun,
                       absl::FunctionRef<Table()> make_table);

// Sets a repeatable option to take one value per occurrence: CLI11's vector
// options otherwise swallow following positionals ("--label a=b NAME").
CLI::Option* Repeatable(CLI::Option* option);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_COMMANDS_H_
