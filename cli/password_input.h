// Reading passwords for uptimectl without ever taking them as a flag value
// (which would land in the shell's history and in `ps` for everyone on the
// host to read).
//
// A password comes from, in this order:
//   --password-file FILE  the file's one line (a final line break is dropped);
//   --password-stdin      one line of standard input (for pipes and scripts);
//   the terminal          typed without echo, twice for a new password;
// and when none applies (no flag, input not a terminal) the error says which
// flags to use.
//
// Example:
//   PasswordFlags flags;
//   AddPasswordFlags(*create, flags);
//   ...
//   ASSIGN_OR_RETURN(std::string password,
//                    ReadNewPassword(flags, input, "New password for alice"));
#ifndef UPTIME_CLI_PASSWORD_INPUT_H_
#define UPTIME_CLI_PASSWORD_INPUT_H_

#include <istream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/terminal.h"

namespace uptime::cli {

// Where passwords can come from; not owned. Both point at the process's
// standard input in production and at scripted input in tests.
struct PasswordInput {
  std::istream* in = nullptr;    // for --password-stdin
  Terminal* terminal = nullptr;  // for prompts
};

// The flags of a command that sets a password, and (passwd only) of the one
// that needs the current password too.
struct PasswordFlags {
  std::string file;          // --password-file
  bool from_stdin = false;   // --password-stdin
  std::string current_file;  // --current-password-file (passwd only)
};

// Adds --password-file and --password-stdin (and, with `current`,
// --current-password-file) to `cmd`, in a "Password" help group.
void AddPasswordFlags(CLI::App& cmd, PasswordFlags& flags, bool current = false);

// A new password: from the file, the next line of standard input, or typed
// twice at the terminal (the prompts are `prompt` + ": " and "Repeat " +
// lower-cased prompt). Every failure is a usage error (exit code 2) naming
// the flag or "password"; the password itself is never part of a message.
absl::StatusOr<std::string> ReadNewPassword(const PasswordFlags& flags, PasswordInput& input,
                                            absl::string_view prompt);

// The caller's current password (for passwd): from --current-password-file,
// the next line of standard input (so with --password-stdin the current
// password is the first line and the new one the second), or typed once.
absl::StatusOr<std::string> ReadCurrentPassword(const PasswordFlags& flags, PasswordInput& input);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_PASSWORD_INPUT_H_
