// `uptimectl watch`: live events from StatusService.WatchEvents, printed as
// they come like `kubectl get -w` (table lines, or one JSON line / YAML
// document per event), until SIGINT or SIGTERM (exit 0).
//
// A stream that breaks after it was established is reopened with backoff
// (0.5 s doubling to 30 s, reset once connected), with a notice on stderr:
// events in between are not replayed. A gap in the stream's sequence numbers
// (the coordinator dropped events for a slow watcher) is noted there too.
// A watch that never got established, or that the coordinator refused
// (token, role, bad selector), ends with the error and its exit code.
#ifndef UPTIME_CLI_WATCH_COMMAND_H_
#define UPTIME_CLI_WATCH_COMMAND_H_

#include <memory>

#include "CLI/CLI.hpp"
#include "cli/commands.h"
#include "cli/stop_signal.h"

namespace uptime::cli {

// watch [-l SELECTOR] [--monitor ID]... [--results]. `stop` ends it; null:
// the command makes its own, set by SIGINT/SIGTERM while it runs.
void AddWatchCommands(CLI::App& root, CommandTable& table, std::shared_ptr<StopSignal> stop);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_WATCH_COMMAND_H_
