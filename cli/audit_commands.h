// `uptimectl audit`: the AuditService from a shell (admins only).
//
//   uptimectl audit --actor alice --limit 20
//   uptimectl audit --resource-type monitor --resource-id m-0123456789abcdef -o yaml
#ifndef UPTIME_CLI_AUDIT_COMMANDS_H_
#define UPTIME_CLI_AUDIT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/commands.h"

namespace uptime::cli {

// audit [--actor X] [--resource-type T] [--resource-id I] [--limit N]
// [--page-token T]: events newest first; the table shows time, actor, action
// and resource, JSON and YAML every field (before/after included).
void AddAuditCommands(CLI::App& root, CommandTable& table);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_AUDIT_COMMANDS_H_
