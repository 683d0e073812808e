#include "cli/account_commands.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

namespace uptime::cli {
namespace {

absl::Status Usage(absl::string_view message) {
  return UsageError(absl::InvalidArgumentError(message));
}

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

// Server-assigned ids are PREFIX + 16 hex digits; anything else names a user
// by username.
bool IsServerId(absl::string_view text, absl::string_view prefix) {
  if (!absl::ConsumePrefix(&text, prefix) || text.size() != 16) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

// CLI11 has already limited the words to these (any case).
v1::Role ParseRole(const std::string& text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "admin") return v1::ROLE_ADMIN;
  if (lower == "editor") return v1::ROLE_EDITOR;
  return v1::ROLE_VIEWER;
}

CLI::Option* AddRoleOption(CLI::App& cmd, std::string& role, const std::string& help) {
  return cmd.add_option("--role", role, help)
      ->check(CLI::IsMember({"viewer", "editor", "admin"}, CLI::ignore_case));
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  ts.set_seconds(absl::ToInt64Seconds(since_epoch));
  ts.set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(ts.seconds()))));
  return ts;
}

// ---- whoami ----

absl::Status WhoAmI(CommandEnv& env) {
  v1::Caller caller;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->auth().GetCaller(ctx, v1::GetCallerRequest(), &caller);
  }));
  return env.printer->Print(caller, [&] { return CallerTable(caller, env.printer->now()); });
}

// ---- users ----

absl::Status PrintUser(CommandEnv& env, const v1::User& user) {
  return env.printer->Print(user, [&] {
    google::protobuf::RepeatedPtrField<v1::User> one;
    *one.Add() = user;
    return UsersTable(one, env.printer->now());
  });
}

// The user named by `name` as typed: an id ("u-..."), "me", or a username
// (looked up in the list, which needs the admin role like the other user
// commands that take one).
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

struct ListFlags {
  bool all = false;
  int page_size = 0;
  std::string page_token;
};

absl::Status ListUsers(CommandEnv& env, const ListFlags& flags) {
  v1::ListUsersRequest request;
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  v1::ListUsersResponse merged;
  RETURN_IF_ERROR(env.api->ListPages(
      std::move(request), flags.all,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->users().ListUsers(ctx, req, page);
      },
      &merged));
  return PrintList(env, merged, merged.users_size(), merged.next_page_token(), "users",
                   [&] { return UsersTable(merged.users(), env.printer->now()); });
}

absl::Status GetUser(CommandEnv& env, const std::string& name) {
  v1::GetUserRequest request;
  ASSIGN_OR_RETURN(*request.mutable_id(), ResolveUserId(env, name));
  v1::User user;
  RETURN_IF_ERROR(env.api->Call(
      [&](grpc::ClientContext* ctx) { return env.api->users().GetUser(ctx, request, &user); }));
  return PrintUser(env, user);
}

struct UserFlags {
  std::string username;
  std::string role;
  std::string display_name;
  bool disable = false;
  bool enable = false;
  bool reset_password = false;
  PasswordFlags password;

  // Set while building update; read after parsing.
  const CLI::Option* role_option = nullptr;
  const CLI::Option* display_name_option = nullptr;
  const CLI::Option* disable_option = nullptr;
  const CLI::Option* enable_option = nullptr;
};

absl::Status CreateUser(CommandEnv& env, PasswordInput& input, const UserFlags& flags) {
  // Read before any call: a password typo should not leave half a change.
  ASSIGN_OR_RETURN(
      std::string password,
      ReadNewPassword(flags.password, input, absl::StrCat("Password for ", flags.username)));
  v1::CreateUserRequest request;
  v1::User* user = request.mutable_user();
  user->set_username(flags.username);
  user->set_display_name(flags.display_name);
  user->set_role(ParseRole(flags.role));
  user->set_password(std::move(password));
  v1::User created;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().CreateUser(ctx, request, &created);
  }));
  return PrintUser(env, created);
}

absl::Status UpdateUser(CommandEnv& env, PasswordInput& input, const UserFlags& flags) {
  v1::UpdateUserRequest request;
  v1::User* user = request.mutable_user();
  auto* paths = request.mutable_update_mask()->mutable_paths();
  if (Given(flags.display_name_option)) {
    user->set_display_name(flags.display_name);
    *paths->Add() = "display_name";
  }
  if (Given(flags.role_option)) {
    user->set_role(ParseRole(flags.role));
    *paths->Add() = "role";
  }
  if (Given(flags.disable_option) || Given(flags.enable_option)) {
    user->set_disabled(flags.disable);
    *paths->Add() = "disabled";
  }
  if (flags.reset_password) *paths->Add() = "password";
  if (paths->empty()) {
    return Usage(
        "nothing to update: give at least one of --role, --display-name, --disable, --enable, "
        "--reset-password");
  }
  if (!flags.reset_password && (!flags.password.file.empty() || flags.password.from_stdin)) {
    return Usage("--password-file and --password-stdin: only with --reset-password");
  }
  if (flags.reset_password) {
    ASSIGN_OR_RETURN(
        *user->mutable_password(),
        ReadNewPassword(flags.password, input, absl::StrCat("New password for ", flags.username)));
  }
  ASSIGN_OR_RETURN(*user->mutable_id(), ResolveUserId(env, flags.username));
  v1::User updated;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().UpdateUser(ctx, request, &updated);
  }));
  return PrintUser(env, updated);
}

absl::Status DeleteUsers(CommandEnv& env, const std::vector<std::string>& names) {
  return DeleteEach(env, names, [&](const std::string& name) -> absl::Status {
    v1::DeleteUserRequest request;
    ASSIGN_OR_RETURN(*request.mutable_id(), ResolveUserId(env, name));
    google::protobuf::Empty empty;
    return env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->users().DeleteUser(ctx, request, &empty);
    });
  });
}

// A one-line confirmation for people; `{}` (the API's Empty) for scripts.
absl::Status PrintDone(CommandEnv& env, const std::string& line) {
  return env.printer->Print(google::protobuf::Empty(), [&] {
    Table table({});
    table.AddRow({line});
    return table;
  });
}

absl::Status ChangePassword(CommandEnv& env, PasswordInput& input, const PasswordFlags& flags) {
  v1::ChangePasswordRequest request;
  ASSIGN_OR_RETURN(*request.mutable_current_password(), ReadCurrentPassword(flags, input));
  ASSIGN_OR_RETURN(*request.mutable_new_password(), ReadNewPassword(flags, input, "New password"));
  google::protobuf::Empty empty;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().ChangePassword(ctx, request, &empty);
  }));
  return PrintDone(env, "password changed (your other sessions have been signed out)");
}

// The first admin, created with the static admin token on a coordinator
// without users. The checks are the client's: they make the common mistakes
// (wrong token, users exist) say what to do instead; the server still
// decides each call.
absl::Status Bootstrap(CommandEnv& env, PasswordInput& input, const UserFlags& flags) {
  v1::Caller caller;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->auth().GetCaller(ctx, v1::GetCallerRequest(), &caller);
  }));
  if (caller.kind() != v1::CREDENTIAL_KIND_STATIC_TOKEN || caller.role() != v1::ROLE_ADMIN) {
    return absl::FailedPreconditionError(absl::StrCat(
        "bootstrap needs the coordinator's static admin token (--token or --token-file); "
        "these credentials are ",
        caller.name().empty() ? "unnamed" : absl::StrCat("'", caller.name(), "'"), " with role ",
        RoleName(caller.role())));
  }
  v1::ListUsersRequest list;
  list.set_page_size(1);
  v1::ListUsersResponse existing;
  RETURN_IF_ERROR(env.api->Call(
      [&](grpc::ClientContext* ctx) { return env.api->users().ListUsers(ctx, list, &existing); }));
  if (!existing.users().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("bootstrap refused: the coordinator has users already (such as '",
                     existing.users(0).username(),
                     "'); an admin adds more with 'uptimectl users create USERNAME --role ROLE'"));
  }
  ASSIGN_OR_RETURN(
      std::string password,
      ReadNewPassword(flags.password, input, absl::StrCat("Password for ", flags.username)));
  v1::CreateUserRequest request;
  request.mutable_user()->set_username(flags.username);
  request.mutable_user()->set_display_name(flags.display_name);
  request.mutable_user()->set_role(v1::ROLE_ADMIN);
  request.mutable_user()->set_password(std::move(password));
  v1::User created;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().CreateUser(ctx, request, &created);
  }));
  return PrintUser(env, created);
}

// ---- users totp ----

// Where the one-time code of `users totp enable` comes from. A flag value is
// acceptable here, unlike a password: the code is worthless 30 seconds on.
struct TotpEnableFlags {
  std::string code;         // --code: confirms an enrollment begun earlier
  bool code_stdin = false;  // --code-stdin
};

// The six digits an app shows, which some apps group as "123 456".
absl::StatusOr<std::string> CleanTotpCode(absl::string_view flag, absl::string_view typed) {
  std::string code;
  for (char c : typed) {
    if (c != ' ') code.push_back(c);
  }
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    // The text is not echoed: it could be a password typed at the wrong prompt.
    return Usage(absl::StrCat(flag, ": expected the 6 digits the authenticator app shows"));
  }
  return code;
}

// The one-time code, after the secret has been shown: from standard input
// or typed at the terminal.
absl::StatusOr<std::string> ReadTotpCode(const TotpEnableFlags& flags, PasswordInput& input) {
  if (flags.code_stdin) {
    std::string line;
    if (input.in == nullptr || !std::getline(*input.in, line)) {
      return Usage("--code-stdin: standard input ended before the code");
    }
    if (absl::EndsWith(line, "\r")) line.pop_back();
    return CleanTotpCode("--code-stdin", line);
  }
  absl::StatusOr<std::string> typed = input.terminal->ReadHidden("Code from the app: ");
  if (!typed.ok()) return Usage(absl::StrCat("code: ", typed.status().message()));
  return CleanTotpCode("code", *typed);
}

absl::Status ConfirmTotp(CommandEnv& env, const std::string& code) {
  v1::ConfirmTotpEnrollmentRequest request;
  request.set_code(code);
  google::protobuf::Empty empty;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().ConfirmTotpEnrollment(ctx, request, &empty);
  }));
  if (env.printer->format() == OutputFormat::kTable) {
    env.printer->out() << "two-factor sign-in is on: signing in now also needs a code from the "
                          "app\n";
  }
  return absl::OkStatus();
}

// Begin, show the secret, then Confirm with the code read after it; or, with
// --code, only Confirm: the code can only be for the secret of an earlier
// run (each Begin makes a new one), which is how it goes without a terminal.
absl::Status EnableTotp(CommandEnv& env, PasswordInput& input, const TotpEnableFlags& flags) {
  if (!flags.code.empty()) {
    ASSIGN_OR_RETURN(std::string code, CleanTotpCode("--code", flags.code));
    return ConfirmTotp(env, code);
  }
  const bool ask = flags.code_stdin ||
                   (input.terminal != nullptr && input.terminal->IsInteractive());
  v1::TotpEnrollment enrollment;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().BeginTotpEnrollment(ctx, v1::BeginTotpEnrollmentRequest(),
                                                &enrollment);
  }));
  // JSON and YAML carry the secret in the whole enrollment, for scripts that
  // compute the code themselves; the exit code says whether Confirm worked.
  RETURN_IF_ERROR(env.printer->Print(enrollment, [&] {
    Table table({});
    table.AddRow({"Secret:", enrollment.secret()});
    table.AddRow({"URL:", enrollment.otpauth_url()});
    return table;
  }));
  if (env.printer->format() == OutputFormat::kTable) {
    env.printer->out() << "\nAdd this to your authenticator app: scan the URL as a QR code, or "
                          "type the secret in by hand. Then "
                       << (ask ? "enter the 6-digit code it shows.\n"
                               : "turn it on within 10 minutes with the 6-digit code it shows:\n"
                                 "  uptimectl users totp enable --code CODE\n");
  }
  if (!ask) return absl::OkStatus();
  // Before the prompt, which goes to the terminal and would otherwise come
  // ahead of the secret it asks about.
  env.printer->out().flush();
  ASSIGN_OR_RETURN(std::string code, ReadTotpCode(flags, input));
  return ConfirmTotp(env, code);
}

struct TotpDisableFlags {
  std::string user;  // empty: the caller's own
  PasswordFlags password;
};

// One's own password, checked by the coordinator: typed once at a terminal
// (not twice as a new one), else as ReadNewPassword reads it.
absl::StatusOr<std::string> ReadOwnPassword(const PasswordFlags& flags, PasswordInput& input) {
  if (flags.file.empty() && !flags.from_stdin && input.terminal != nullptr &&
      input.terminal->IsInteractive()) {
    absl::StatusOr<std::string> typed = input.terminal->ReadHidden("Your password: ");
    if (!typed.ok()) return Usage(absl::StrCat("password: ", typed.status().message()));
    if (typed->empty()) return Usage("password: nothing was typed");
    return typed;
  }
  return ReadNewPassword(flags, input, "Your password");
}

absl::Status DisableTotp(CommandEnv& env, PasswordInput& input, const TotpDisableFlags& flags) {
  bool own = flags.user.empty() || flags.user == "me";
  v1::DisableTotpRequest request;
  request.set_user_id("me");
  if (!own) {
    ASSIGN_OR_RETURN(*request.mutable_user_id(), ResolveUserId(env, flags.user));
    // The coordinator counts one's own id or username as "me", password
    // and all.
    v1::Caller caller;
    RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->auth().GetCaller(ctx, v1::GetCallerRequest(), &caller);
    }));
    own = !caller.user_id().empty() && caller.user_id() == request.user_id();
  }
  if (own) {
    ASSIGN_OR_RETURN(*request.mutable_password(), ReadOwnPassword(flags.password, input));
  } else if (!flags.password.file.empty() || flags.password.from_stdin) {
    return Usage(
        "--password-file and --password-stdin: only for your own second factor (an admin "
        "turns off another user's without a password)");
  }
  google::protobuf::Empty empty;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().DisableTotp(ctx, request, &empty);
  }));
  return PrintDone(env, own ? "two-factor sign-in is off: signing in needs only your password"
                            : absl::StrCat("two-factor sign-in is off for ", flags.user));
}

// ---- keys ----

struct KeyListFlags {
  std::string user;
  bool all = false;
};

absl::Status ListKeys(CommandEnv& env, const KeyListFlags& flags) {
  v1::ListApiKeysRequest request;
  if (flags.all) {
    request.set_user_id("-");
  } else if (!flags.user.empty()) {
    ASSIGN_OR_RETURN(*request.mutable_user_id(), ResolveUserId(env, flags.user));
  }
  v1::ListApiKeysResponse response;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().ListApiKeys(ctx, request, &response);
  }));
  return PrintList(env, response, response.api_keys_size(), "", "API keys",
                   [&] { return ApiKeysTable(response.api_keys(), env.printer->now()); });
}

struct KeyCreateFlags {
  std::string name;
  std::string role;
  std::string expires;
  std::string user;
};

absl::Status CreateKey(CommandEnv& env, const KeyCreateFlags& flags) {
  v1::CreateApiKeyRequest request;
  request.mutable_api_key()->set_name(flags.name);
  request.mutable_api_key()->set_role(ParseRole(flags.role));
  if (!flags.expires.empty()) {
    absl::StatusOr<absl::Time> expiry = ParseExpiry(flags.expires, env.printer->now());
    if (!expiry.ok()) return UsageError(expiry.status());
    *request.mutable_api_key()->mutable_expire_time() = ToProto(*expiry);
  }
  if (!flags.user.empty()) {
    ASSIGN_OR_RETURN(*request.mutable_user_id(), ResolveUserId(env, flags.user));
  }
  v1::CreateApiKeyResponse response;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().CreateApiKey(ctx, request, &response);
  }));
  // JSON and YAML carry the key in the whole response (`.key`).
  RETURN_IF_ERROR(env.printer->Print(response, [&] {
    google::protobuf::RepeatedPtrField<v1::ApiKey> one;
    *one.Add() = response.api_key();
    return ApiKeysTable(one, env.printer->now());
  }));
  if (env.printer->format() == OutputFormat::kTable) {
    env.printer->out() << "\nkey: " << response.key()
                       << "\nThis key cannot be shown again: store it now (it is kept only as "
                          "a hash). Send it as --token.\n";
  }
  return absl::OkStatus();
}

absl::Status RevokeKeys(CommandEnv& env, const std::vector<std::string>& ids) {
  return DeleteEach(env, ids, [&](const std::string& id) -> absl::Status {
    v1::RevokeApiKeyRequest request;
    request.set_id(id);
    google::protobuf::Empty empty;
    return env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->users().RevokeApiKey(ctx, request, &empty);
    });
  });
}

// ---- building the commands ----

void AddUserCommands(CLI::App& root, CommandTable& table,
                     const std::shared_ptr<PasswordInput>& input) {
  CLI::App* group = root.add_subcommand(
      "users",
      "People who sign in, their roles, passwords and second factors (admins; passwd and totp "
      "for everyone)");
  group->alias("user");
  group->require_subcommand(1);

  auto list_flags = std::make_shared<ListFlags>();
  CLI::App* list = group->add_subcommand("list", "List users, ordered by username");
  list->alias("ls");
  list->add_flag("--all", list_flags->all, "Fetch every result page, not just the first");
  list->add_option("--page-size", list_flags->page_size,
                   "Users per result page (server default 100)");
  list->add_option("--page-token", list_flags->page_token, "Continue from this result page token");
  table.Add(list, [list_flags](CommandEnv& env) { return ListUsers(env, *list_flags); });

  auto get_name = std::make_shared<std::string>();
  CLI::App* get = group->add_subcommand("get", "Show one user (use -o yaml for all fields)");
  get->add_option("user", *get_name, "User id (u-...), username, or 'me'")->required();
  table.Add(get, [get_name](CommandEnv& env) { return GetUser(env, *get_name); });

  auto create_flags = std::make_shared<UserFlags>();
  CLI::App* create = group->add_subcommand(
      "create", "Create a user; the password is prompted for (or see --password-file)");
  create->alias("add");
  create
      ->add_option("username", create_flags->username,
                   "1-64 of a-z, 0-9, '.', '_', '-'; cannot change later")
      ->required();
  AddRoleOption(*create, create_flags->role,
                "viewer (reads), editor (+ monitors, maintenance, status pages) or admin")
      ->required();
  create->add_option("--display-name", create_flags->display_name, "Name shown to people");
  AddPasswordFlags(*create, create_flags->password);
  table.Add(create, [create_flags, input](CommandEnv& env) {
    return CreateUser(env, *input, *create_flags);
  });

  auto update_flags = std::make_shared<UserFlags>();
  CLI::App* update =
      group->add_subcommand("update", "Change what the flags give, and only that; prints the user");
  update->add_option("user", update_flags->username, "User id (u-...) or username")->required();
  update_flags->role_option = AddRoleOption(*update, update_flags->role, "New role");
  update_flags->display_name_option = update->add_option(
      "--display-name", update_flags->display_name, "New display name ('' removes it)");
  CLI::Option* disable = update->add_flag("--disable", update_flags->disable,
                                          "Stop the user signing in; ends their sessions and keys");
  CLI::Option* enable =
      update->add_flag("--enable", update_flags->enable, "Let a disabled user sign in again");
  disable->excludes(enable);
  update_flags->disable_option = disable;
  update_flags->enable_option = enable;
  update->add_flag("--reset-password", update_flags->reset_password,
                   "Set a new password (prompted for, or see --password-file); ends their "
                   "sessions");
  AddPasswordFlags(*update, update_flags->password);
  table.Add(update, [update_flags, input](CommandEnv& env) {
    return UpdateUser(env, *input, *update_flags);
  });

  auto delete_names = std::make_shared<std::vector<std::string>>();
  CLI::App* del = group->add_subcommand("delete", "Delete users, with their API keys and sessions");
  del->alias("rm");
  del->add_option("users", *delete_names, "User ids (u-...) or usernames")->required();
  table.Add(del, [delete_names](CommandEnv& env) { return DeleteUsers(env, *delete_names); });

  auto passwd_flags = std::make_shared<PasswordFlags>();
  CLI::App* passwd = group->add_subcommand(
      "passwd", "Change your own password (asks for the current one, then the new one twice)");
  AddPasswordFlags(*passwd, *passwd_flags, /*current=*/true);
  table.Add(passwd, [passwd_flags, input](CommandEnv& env) {
    return ChangePassword(env, *input, *passwd_flags);
  });

  auto bootstrap_flags = std::make_shared<UserFlags>();
  CLI::App* bootstrap = group->add_subcommand(
      "bootstrap",
      "Create the first admin, with the coordinator's static admin token; refused once any "
      "user exists");
  bootstrap->add_option("username", bootstrap_flags->username, "The admin's username")->required();
  bootstrap->add_option("--display-name", bootstrap_flags->display_name, "Name shown to people");
  AddPasswordFlags(*bootstrap, bootstrap_flags->password);
  table.Add(bootstrap, [bootstrap_flags, input](CommandEnv& env) {
    return Bootstrap(env, *input, *bootstrap_flags);
  });

  CLI::App* totp = group->add_subcommand(
      "totp", "A second factor for signing in: codes from an authenticator app (TOTP)");
  totp->require_subcommand(1);

  auto enable_flags = std::make_shared<TotpEnableFlags>();
  CLI::App* totp_enable = totp->add_subcommand(
      "enable",
      "Turn on your own second factor: prints a secret for the app, then asks for the code it "
      "shows (without a terminal: run again with --code)");
  CLI::Option* code = totp_enable->add_option(
      "--code", enable_flags->code,
      "Only finish: the 6-digit code for the secret an earlier 'enable' printed (within 10 "
      "minutes)");
  CLI::Option* code_stdin = totp_enable->add_flag(
      "--code-stdin", enable_flags->code_stdin,
      "Read the code from the first line of standard input (after the secret is printed)");
  code->excludes(code_stdin);
  table.Add(totp_enable, [enable_flags, input](CommandEnv& env) {
    return EnableTotp(env, *input, *enable_flags);
  });

  auto disable_flags = std::make_shared<TotpDisableFlags>();
  CLI::App* totp_disable = totp->add_subcommand(
      "disable",
      "Turn off a second factor: your own (needs your password) or, admins, another user's "
      "(e.g. after a lost phone)");
  totp_disable->add_option("user", disable_flags->user,
                           "Admins: the user id (u-...) or username (default: yourself)");
  AddPasswordFlags(*totp_disable, disable_flags->password);
  table.Add(totp_disable, [disable_flags, input](CommandEnv& env) {
    return DisableTotp(env, *input, *disable_flags);
  });
}

void AddKeyCommands(CLI::App& root, CommandTable& table) {
  CLI::App* group = root.add_subcommand(
      "keys", "API keys: bearer tokens for scripts, acting for a user with at most their role");
  group->alias("key");
  group->require_subcommand(1);

  auto list_flags = std::make_shared<KeyListFlags>();
  CLI::App* list = group->add_subcommand("list", "List your API keys (admins: anyone's)");
  list->alias("ls");
  CLI::Option* user =
      list->add_option("--user", list_flags->user, "Admins: this user's keys (id or username)");
  CLI::Option* all = list->add_flag("--all", list_flags->all, "Admins: every user's keys");
  user->excludes(all);
  table.Add(list, [list_flags](CommandEnv& env) { return ListKeys(env, *list_flags); });

  auto create_flags = std::make_shared<KeyCreateFlags>();
  CLI::App* create = group->add_subcommand(
      "create", "Create an API key; prints the key once (it cannot be shown again)");
  create->alias("add");
  create->add_option("name", create_flags->name, "What the key is for, e.g. 'ci deploy'")
      ->required();
  AddRoleOption(*create, create_flags->role, "viewer, editor or admin (at most the owner's role)")
      ->required();
  create->add_option("--expires", create_flags->expires,
                     "Stop working after a duration (30d, 12h) or at an RFC 3339 time "
                     "(default: never)");
  create->add_option("--user", create_flags->user,
                     "Admins: create it for this user (id or username); default yourself");
  table.Add(create, [create_flags](CommandEnv& env) { return CreateKey(env, *create_flags); });

  auto revoke_ids = std::make_shared<std::vector<std::string>>();
  CLI::App* revoke =
      group->add_subcommand("revoke", "Revoke API keys: refused everywhere within a second");
  revoke->alias("rm");
  revoke->add_option("ids", *revoke_ids, "API key ids (k-...)")->required();
  table.Add(revoke, [revoke_ids](CommandEnv& env) { return RevokeKeys(env, *revoke_ids); });
}

}  // namespace

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
  AddUserCommands(root, table, std::make_shared<PasswordInput>(input));
  AddKeyCommands(root, table);
}

}  // namespace uptime::cli
