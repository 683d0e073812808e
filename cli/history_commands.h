// `uptimectl results`, `uptime` and `incidents`: what happened to monitors
// over time (StatusService.ListResults, GetUptime, ListIncidents), beside
// `status`, which shows the present.
#ifndef UPTIME_CLI_HISTORY_COMMANDS_H_
#define UPTIME_CLI_HISTORY_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/commands.h"

namespace uptime::cli {

// results MONITOR [--since 1h] [--until 10m] [--failures] [--limit N];
// uptime MONITOR [--window 24h]... [--days N];
// incidents [MONITOR] [--open] [--limit N].
// All with -o table|wide|json|yaml.
void AddHistoryCommands(CLI::App& root, CommandTable& table);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_HISTORY_COMMANDS_H_
