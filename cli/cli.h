// uptimectl as a function: arguments in, output on injected streams, an exit
// code out. main() only supplies the real streams, clock and channel factory.
//
// Exit codes, for scripts (also in `uptimectl --help` and the docs):
//   0  success
//   1  any other error: the coordinator refused the request (INVALID_ARGUMENT,
//      ALREADY_EXISTS, FAILED_PRECONDITION, ...), or the command's own check
//      failed (`channels test` not delivered)
//   2  bad usage found before any RPC (unknown flag, no check type, unparsable
//      duration, unreadable token or TLS file, a password not given)
//   3  NOT_FOUND: what was named does not exist
//   4  UNAUTHENTICATED or PERMISSION_DENIED: fix the token or the role
//   5  UNAVAILABLE or DEADLINE_EXCEEDED: the coordinator could not be reached
//      or could not answer in time; retrying later may help
// Commands on several items (`rm A B C`) go on past NOT_FOUND and exit with the
// code of the last failure, so `rm` of names already gone exits 3.
//
// Example:
//   CliEnv env{.out = &out, .err = &err, .now = [] { return fixed; }};
//   int code = RunCli({"--addr", "127.0.0.1:7070", "status"}, env);
#ifndef UPTIME_CLI_CLI_H_
#define UPTIME_CLI_CLI_H_

#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/api.h"
#include "cli/config_contexts.h"
#include "cli/stop_signal.h"
#include "cli/terminal.h"

namespace uptime::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;
inline constexpr int kExitDenied = 4;
inline constexpr int kExitUnavailable = 5;

struct CliEnv {
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;
  // For "5m ago" columns.
  std::function<absl::Time()> now = [] { return absl::Now(); };
  ChannelFactory make_channel = MakeChannel;
  // Passwords: --password-stdin reads `in`; prompts go to `terminal`
  // (echo off). Never a flag value: see password_input.h.
  std::istream* in = &std::cin;
  std::shared_ptr<Terminal> terminal = StdioTerminal();
  // uptimectl's own environment lookups: where the config file of contexts
  // is (config_contexts.h). CLI11 reads the UPTIME_* flag variables itself.
  GetEnv getenv = SystemGetEnv;
  // Ends `watch`; null: watch stops on SIGINT/SIGTERM.
  std::shared_ptr<StopSignal> stop;
};

// The exit code for a command's outcome, as listed above: the usage mark of
// UsageError (commands.h) first, then the status code.
int ExitCodeFor(const absl::Status& status);

// Runs one uptimectl invocation; `args` excludes the program name. Global
// flags fall back to UPTIME_* environment variables (read at parse time).
int RunCli(const std::vector<std::string>& args, const CliEnv& env);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_CLI_H_
