// uptimectl as a function: arguments in, output on injected streams, an exit
// code out. main() only supplies the real streams, clock and channel factory.
//
// Exit codes: 0 success; 1 an RPC failed (the server said no, or could not be
// reached); 2 bad usage found before any RPC (unknown flag, no check type,
// unparsable duration, unreadable token or TLS file, a password that could not
// be read or was not given).
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

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/api.h"
#include "cli/terminal.h"

namespace uptime::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcFailure = 1;
inline constexpr int kExitUsage = 2;

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
};

// Runs one uptimectl invocation; `args` excludes the program name. Global
// flags fall back to UPTIME_* environment variables (read at parse time).
int RunCli(const std::vector<std::string>& args, const CliEnv& env);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_CLI_H_
