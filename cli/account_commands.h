// `uptimectl whoami`, `uptimectl users ...` and `uptimectl keys ...`: the
// AuthService's GetCaller and the UserService from a shell.
//
//   uptimectl --token-file admin.token users bootstrap alice   # the first admin
//   uptimectl users create bob --role editor --password-file bob.pw
//   uptimectl users update bob --role viewer --disable
//   uptimectl keys create "ci deploy" --role editor --expires 90d
//   uptimectl users totp enable        # then type the code the app shows
//
// Passwords are never flag values: see password_input.h.
#ifndef UPTIME_CLI_ACCOUNT_COMMANDS_H_
#define UPTIME_CLI_ACCOUNT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/password_input.h"

namespace uptime::cli {

// whoami; users list|get|create|update|delete|passwd|bootstrap and users
// totp enable|disable; keys list|create|revoke. `input` (not owned) must
// outlive the parsed app: the commands that take a password or a code read
// it from there.
void AddAccountCommands(CLI::App& root, CommandTable& table, PasswordInput input);

// The instant an --expires value names: a duration from `now` ("30d",
// "12h", "1d12h", "90m") or an RFC 3339 time. INVALID_ARGUMENT naming
// --expires for anything else and for a time not after `now`.
absl::StatusOr<absl::Time> ParseExpiry(absl::string_view text, absl::Time now);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_ACCOUNT_COMMANDS_H_
