#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/account_commands_helpers.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

// `uptimectl users ...`: people who sign in, their roles and passwords.

namespace uptime::cli::account_commands_internal {
namespace {

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

absl::Status PrintUser(CommandEnv& env, const v1::User& user) {
  return env.printer->Print(user, [&] {
    google::protobuf::RepeatedPtrField<v1::User> one;
    *one.Add() = user;
    return UsersTable(one, env.printer->now());
  });
}

struct UserListFlags {
  bool all = false;
  int page_size = 0;
  std::string page_token;
};

absl::Status ListUsers(CommandEnv& env, const UserListFlags& flags) {
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

}  // namespace

void AddUserCommands(CLI::App& root, CommandTable& table,
                     const std::shared_ptr<PasswordInput>& input) {
  CLI::App* group = root.add_subcommand(
      "users",
      "People who sign in, their roles, passwords and second factors (admins; passwd and totp "
      "for everyone)");
  group->alias("user");
  group->require_subcommand(1);

  auto list_flags = std::make_shared<UserListFlags>();
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

  AddTotpCommands(*group, table, input);
}

}  // namespace uptime::cli::account_commands_internal
