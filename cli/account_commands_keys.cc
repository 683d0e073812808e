#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/account_commands.h"
#include "cli/account_commands_helpers.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

// `uptimectl keys ...`: API keys, bearer tokens for scripts.

namespace uptime::cli::account_commands_internal {
namespace {

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  ts.set_seconds(absl::ToInt64Seconds(since_epoch));
  ts.set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(ts.seconds()))));
  return ts;
}

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

}  // namespace

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

}  // namespace uptime::cli::account_commands_internal
