// Helpers shared by the files that define the account commands
// (account_commands*.cc): usage errors, roles, naming a user, confirmations,
// and the builders of the `users`, `users totp` and `keys` command groups.
// Internal to the CLI; the public entry point is account_commands.h.
#ifndef UPTIME_CLI_ACCOUNT_COMMANDS_HELPERS_H_
#define UPTIME_CLI_ACCOUNT_COMMANDS_HELPERS_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "cli/commands.h"
#include "cli/password_input.h"
#include "uptime/v1/user.pb.h"

namespace uptime::cli::account_commands_internal {

inline absl::Status Usage(absl::string_view message) {
  return UsageError(absl::InvalidArgumentError(message));
}

// CLI11 has already limited the words to these (any case).
inline v1::Role ParseRole(const std::string& text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "admin") return v1::ROLE_ADMIN;
  if (lower == "editor") return v1::ROLE_EDITOR;
  return v1::ROLE_VIEWER;
}

inline CLI::Option* AddRoleOption(CLI::App& cmd, std::string& role, const std::string& help) {
  return cmd.add_option("--role", role, help)
      ->check(CLI::IsMember({"viewer", "editor", "admin"}, CLI::ignore_case));
}

// The user named by `name` as typed: an id ("u-..."), "me", or a username
// (looked up in the list, which needs the admin role like the other user
// commands that take one).
absl::StatusOr<std::string> ResolveUserId(CommandEnv& env, const std::string& name);

// A one-line confirmation for people; `{}` (the API's Empty) for scripts.
absl::Status PrintDone(CommandEnv& env, const std::string& line);

// users list|get|create|update|delete|passwd|bootstrap, with `users totp`
// below it (account_commands_users.cc).
void AddUserCommands(CLI::App& root, CommandTable& table,
                     const std::shared_ptr<PasswordInput>& input);
// users totp enable|disable, under the `users` group (account_commands_totp.cc).
void AddTotpCommands(CLI::App& group, CommandTable& table,
                     const std::shared_ptr<PasswordInput>& input);
// keys list|create|revoke (account_commands_keys.cc).
void AddKeyCommands(CLI::App& root, CommandTable& table);

}  // namespace uptime::cli::account_commands_internal

#endif  // UPTIME_CLI_ACCOUNT_COMMANDS_HELPERS_H_
