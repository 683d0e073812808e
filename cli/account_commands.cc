#include "cli/account_commands.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "cli/account_commands_helpers.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

// `whoami`, --expires parsing, and the helpers the account command files
// share. The groups: account_commands_users.cc (users),
// account_commands_totp.cc (users totp), account_commands_keys.cc (keys).

namespace uptime::cli {
namespace {

// Server-assigned ids are PREFIX + 16 hex digits; anything else names a user
// by username.
bool IsServerId(absl::string_view text, absl::string_view prefix) {
  if (!absl::ConsumePrefix(&text, prefix) || text.size() != 16) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

// ---- whoami ----

absl::Status WhoAmI(CommandEnv& env) {
  v1::Caller caller;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->auth().GetCaller(ctx, v1::GetCallerRequest(), &caller);
  }));
  return env.printer->Print(caller, [&] { return CallerTable(caller, env.printer->now()); });
}

}  // namespace

namespace account_commands_internal {

absl::StatusOr<std::string> ResolveUserId(CommandEnv& env, const std::string& name) {
  if (name == "me" || IsServerId(name, "u-")) return name;
  v1::ListUsersResponse all;
  v1::ListUsersRequest request;
  request.set_page_size(1000);
  RETURN_IF_ERROR(env.api->ListPages(
      std::move(request), /*all=*/true,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->users().ListUsers(ctx, req, page);
      },
      &all));
  for (const v1::User& user : all.users()) {
    if (absl::EqualsIgnoreCase(user.username(), name)) return user.id();
  }
  return absl::NotFoundError(absl::StrCat("user '", name, "' not found"));
}

absl::Status PrintDone(CommandEnv& env, const std::string& line) {
  return env.printer->Print(google::protobuf::Empty(), [&] {
    Table table({});
    table.AddRow({line});
    return table;
  });
}

}  // namespace account_commands_internal

absl::StatusOr<absl::Time> ParseExpiry(absl::string_view text, absl::Time now) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "--expires: expected a duration such as 30d or 12h, or an RFC 3339 time such as "
        "2027-01-01T00:00:00Z, got '",
        text, "'"));
  };
  absl::Time at;
  std::string ignored;
  if (absl::ParseTime(absl::RFC3339_full, text, &at, &ignored)) {
    if (at <= now) {
      return absl::InvalidArgumentError(absl::StrCat("--expires: '", text, "' is in the past"));
    }
    return at;
  }
  // absl::ParseDuration stops at hours; keys live for days.
  absl::Duration d = absl::ZeroDuration();
  absl::string_view rest = text;
  if (const size_t day = rest.find('d'); day != absl::string_view::npos) {
    int64_t days = 0;
    if (!absl::SimpleAtoi(rest.substr(0, day), &days) || days < 0 || days > 36500) return bad();
    d = absl::Hours(24 * days);
    rest.remove_prefix(day + 1);
  }
  if (!rest.empty()) {
    absl::Duration more;
    if (!absl::ParseDuration(rest, &more) || more < absl::ZeroDuration() ||
        more == absl::InfiniteDuration()) {
      return bad();
    }
    d += more;
  }
  if (d <= absl::ZeroDuration()) return bad();
  return now + d;
}

void AddAccountCommands(CLI::App& root, CommandTable& table, PasswordInput input) {
  CLI::App* whoami = root.add_subcommand(
      "whoami", "Who your credentials are: name, role, kind and (sessions) expiry");
  table.Add(whoami, [](CommandEnv& env) { return WhoAmI(env); });
  account_commands_internal::AddUserCommands(root, table, std::make_shared<PasswordInput>(input));
  account_commands_internal::AddKeyCommands(root, table);
}

}  // namespace uptime::cli
