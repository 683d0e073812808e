// `uptimectl channels ...`: the NotificationService (alert channels) from a
// shell.
#ifndef UPTIME_CLI_CHANNEL_COMMANDS_H_
#define UPTIME_CLI_CHANNEL_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/commands.h"

namespace uptime::cli {

// channels list|get|create|update|delete|test.
void AddChannelCommands(CLI::App& root, CommandTable& table);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_CHANNEL_COMMANDS_H_
