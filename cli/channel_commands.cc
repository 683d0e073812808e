// `uptimectl channels ...`: the NotificationService from a shell.
//
//   uptimectl channels create --name ops --type slack
//       --config webhook_url=https://hooks.slack.com/services/T0/B0/XXXX --config channel=#ops
//   uptimectl channels create --name pager --type pagerduty --config-file pd.yaml
//   uptimectl channels update ch-1 --config channel=#alerts
//   uptimectl channels test ch-1
//
// Channel configs hold secrets (webhook URLs, routing keys, SMTP passwords).
// The server answers with them redacted; this file never prints a value the
// user typed, not even in error messages, since those land in terminals,
// CI logs and shell scrollback.
#include "cli/channel_commands.h"

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"
#include "yaml-cpp/yaml.h"

namespace uptime::cli {
namespace {

// The config keys holding secrets, by built-in type (coordinator/notifiers:
// each factory's SecretKeys()). Plugins' secrets are unknown here: for them
// the server's redaction is all there is.
bool IsSecretKey(absl::string_view type, absl::string_view key) {
  if (type == "slack") return key == "webhook_url";
  if (type == "webhook") return key == "secret";
  if (type == "pagerduty") return key == "routing_key";
  if (type == "email") return key == "password";
  return false;
}

// The server's redaction is "****" plus the last 4 characters. Should a
// response ever carry a known secret in full (an old or broken server), it
// is masked here too rather than printed.
v1::Channel Masked(v1::Channel channel) {
  for (auto& [key, value] : *channel.mutable_config()) {
    if (IsSecretKey(channel.type(), key) && !absl::StartsWith(value, "****")) value = "****";
  }
  return channel;
}

// The flags of create and update.
struct ChannelFlags {
  std::string name;
  std::string type;
  std::vector<std::string> config;  // KEY=VALUE
  std::string config_file;
  std::vector<std::string> remove_config;  // update only

  // Set while building the command; read after parsing.
  const CLI::Option* name_option = nullptr;
  const CLI::Option* type_option = nullptr;
  const CLI::Option* config_option = nullptr;
  const CLI::Option* config_file_option = nullptr;
  const CLI::Option* remove_config_option = nullptr;
};

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

// The map in a YAML or JSON file (JSON is YAML). Errors name the flag and
// the key, never a value.
absl::StatusOr<std::map<std::string, std::string>> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("--config-file: cannot read '", path, "'"));
  }
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    // The parser's message quotes no values; its line and column help.
    return absl::InvalidArgumentError(absl::StrCat("--config-file: '", path,
                                                   "' is not YAML or JSON (line ",
                                                   e.mark.line + 1, ")"));
  }
  std::map<std::string, std::string> config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--config-file: '", path, "' must hold a map of KEY: VALUE"));
  }
  for (const auto& entry : root) {
    if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--config-file: '", path, "': keys must be non-empty strings"));
    }
    const std::string key = entry.first.Scalar();
    if (!entry.second.IsScalar()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--config-file: '", path, "': value of '", key,
          "' must be a string, number or boolean (lists: comma-separated text)"));
    }
    config[key] = entry.second.Scalar();
  }
  return config;
}

// --config-file, then the --config values on top (the flags win, so a shared
// file can be adjusted per channel).
absl::StatusOr<std::map<std::string, std::string>> BuildConfig(const ChannelFlags& f) {
  std::map<std::string, std::string> config;
  if (!f.config_file.empty()) {
    ASSIGN_OR_RETURN(config, ReadConfigFile(f.config_file));
  }
  for (size_t i = 0; i < f.config.size(); ++i) {
    const std::string& pair = f.config[i];
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      // Not echoed: the text may be a secret typed without its key.
      return absl::InvalidArgumentError(absl::StrCat(
          "--config: expected KEY=VALUE such as webhook_url=https://..., but value #", i + 1,
          " has ", eq == 0 ? "no key" : "no '='"));
    }
    config[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return config;
}

absl::Status PrintChannel(CommandEnv& env, const v1::Channel& channel) {
  const v1::Channel shown = Masked(channel);
  return env.printer->Print(shown, [&] {
    google::protobuf::RepeatedPtrField<v1::Channel> one;
    *one.Add() = shown;
    return ChannelsTable(one, env.printer->now());
  });
}

absl::StatusOr<v1::Channel> Fetch(CommandEnv& env, const std::string& id) {
  v1::GetChannelRequest request;
  request.set_id(id);
  v1::Channel channel;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->notifications().GetChannel(ctx, request, &channel);
  }));
  return channel;
}

absl::Status Create(CommandEnv& env, const ChannelFlags& flags) {
  absl::StatusOr<std::map<std::string, std::string>> config = BuildConfig(flags);
  if (config.ok() && config->empty()) {
    config = absl::InvalidArgumentError(
        absl::StrCat("--config or --config-file: a ", flags.type,
                     " channel needs its settings (see `uptimectl channels create --help`)"));
  }
  if (!config.ok()) return UsageError(config.status());
  v1::CreateChannelRequest request;
  v1::Channel* channel = request.mutable_channel();
  channel->set_name(flags.name);
  channel->set_type(flags.type);
  for (const auto& [key, value] : *config) (*channel->mutable_config())[key] = value;
  v1::Channel created;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->notifications().CreateChannel(ctx, request, &created);
  }));
  return PrintChannel(env, created);
}

// Config flags change the keys they name and keep the others: the current
// config is read first and sent back with the changes. Its secrets come
// back redacted, and the server keeps the stored value of a secret sent back
// as it was read. A new --type starts from an empty config instead, since
// another type's keys mean other things.
absl::Status Update(CommandEnv& env, const std::string& id, const ChannelFlags& flags) {
  const bool config_given = Given(flags.config_option) || Given(flags.config_file_option) ||
                            Given(flags.remove_config_option);
  absl::StatusOr<std::map<std::string, std::string>> config = BuildConfig(flags);
  if (config.ok() && !Given(flags.name_option) && !Given(flags.type_option) && !config_given) {
    config = absl::InvalidArgumentError(
        "nothing to update: give at least one flag such as --name or --config (see --help)");
  }
  if (config.ok() && Given(flags.name_option) && flags.name.empty()) {
    config = absl::InvalidArgumentError("--name: must not be empty");
  }
  if (config.ok() && Given(flags.type_option) && flags.type.empty()) {
    config = absl::InvalidArgumentError("--type: must not be empty");
  }
  if (!config.ok()) return UsageError(config.status());

  v1::UpdateChannelRequest request;
  v1::Channel* channel = request.mutable_channel();
  channel->set_id(id);
  if (Given(flags.name_option)) {
    channel->set_name(flags.name);
    request.mutable_update_mask()->add_paths("name");
  }
  if (Given(flags.type_option)) {
    channel->set_type(flags.type);
    request.mutable_update_mask()->add_paths("type");
  }
  if (config_given || Given(flags.type_option)) {
    std::map<std::string, std::string> merged;
    ASSIGN_OR_RETURN(v1::Channel current, Fetch(env, id));
    if (!Given(flags.type_option) || flags.type == current.type()) {
      merged.insert(current.config().begin(), current.config().end());
    }
    for (const auto& [key, value] : *config) merged[key] = value;
    for (const std::string& key : flags.remove_config) {
      if (merged.erase(key) == 0) {
        return UsageError(absl::InvalidArgumentError(
            absl::StrCat("--remove-config: channel '", id, "' has no config key '", key, "'")));
      }
    }
    for (const auto& [key, value] : merged) (*channel->mutable_config())[key] = value;
    request.mutable_update_mask()->add_paths("config");
  }
  v1::Channel updated;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->notifications().UpdateChannel(ctx, request, &updated);
  }));
  return PrintChannel(env, updated);
}

struct ChannelListFlags {
  bool all = false;
  int page_size = 0;
  std::string page_token;
};

absl::Status ListChannels(CommandEnv& env, const ChannelListFlags& flags) {
  v1::ListChannelsRequest request;
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  v1::ListChannelsResponse merged;
  RETURN_IF_ERROR(env.api->ListPages(
      std::move(request), flags.all,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->notifications().ListChannels(ctx, req, page);
      },
      &merged));
  for (v1::Channel& channel : *merged.mutable_channels()) channel = Masked(std::move(channel));
  return PrintList(env, merged, merged.channels_size(), merged.next_page_token(), "channels",
                   [&] { return ChannelsTable(merged.channels(), env.printer->now()); });
}

absl::Status GetChannel(CommandEnv& env, const std::string& id) {
  ASSIGN_OR_RETURN(v1::Channel channel, Fetch(env, id));
  return PrintChannel(env, channel);
}

// Like `monitors rm`: NOT_FOUND on one id does not stop the others (see
// DeleteEach); FAILED_PRECONDITION (monitors still use it) stops there.
absl::Status Delete(CommandEnv& env, const std::vector<std::string>& ids) {
  return DeleteEach(env, ids, [&](const std::string& id) {
    v1::DeleteChannelRequest request;
    request.set_id(id);
    google::protobuf::Empty empty;
    return env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->notifications().DeleteChannel(ctx, request, &empty);
    });
  });
}

// Prints the outcome; a message not delivered is exit code 1, so scripts can
// check a channel with `uptimectl channels test ID`. Not UNAVAILABLE: that
// would say the coordinator is unreachable (exit code 5).
absl::Status Test(CommandEnv& env, const std::string& id) {
  v1::TestChannelRequest request;
  request.set_id(id);
  v1::TestChannelResponse response;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->notifications().TestChannel(ctx, request, &response);
  }));
  if (env.printer->format() != OutputFormat::kTable) {
    RETURN_IF_ERROR(env.printer->Print(response, [] { return Table({}); }));
  } else if (response.delivered()) {
    env.printer->out() << "delivered: channel " << id << " sent a test message\n";
  }
  if (response.delivered()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "channel ", id, ": test message not delivered: ",
      response.error().empty() ? "no reason given" : response.error()));
}

constexpr char kConfigHelp[] =
    "KEY=VALUE setting (repeatable; wins over --config-file). Keys by --type: "
    "slack: webhook_url (secret), channel, username; "
    "webhook: url, secret (16+ chars); "
    "pagerduty: routing_key (secret), severity, url; "
    "email: url (smtp:// or smtps://), from, to (comma-separated), username, password (secret)";

void AddConfigFlags(CLI::App& cmd, ChannelFlags& f, bool create) {
  const std::string group = create ? "Settings (at least one of)"
                                   : "Settings (change the keys given, keep the others)";
  f.config_option =
      Repeatable(cmd.add_option("--config", f.config, kConfigHelp))->group(group);
  f.config_file_option =
      cmd.add_option("--config-file", f.config_file,
                     "YAML or JSON file of KEY: VALUE settings (keeps secrets out of shell "
                     "history)")
          ->group(group);
  if (!create) {
    f.remove_config_option =
        Repeatable(cmd.add_option("--remove-config", f.remove_config,
                                  "Drop this setting KEY (repeatable)"))
            ->group(group);
  }
}

}  // namespace

void AddChannelCommands(CLI::App& root, CommandTable& table) {
  CLI::App* group = root.add_subcommand(
      "channels", "Alert channels: where monitors' alerts go (writes need the admin role)");
  group->alias("channel");
  group->require_subcommand(1);

  auto list_flags = std::make_shared<ChannelListFlags>();
  CLI::App* list = group->add_subcommand("list", "List channels (secrets redacted), ordered by id");
  list->alias("ls");
  list->add_flag("--all", list_flags->all, "Fetch every page, not just the first");
  list->add_option("--page-size", list_flags->page_size, "Channels per page (server default 100)");
  list->add_option("--page-token", list_flags->page_token, "Continue from this page token");
  table.Add(list, [list_flags](CommandEnv& env) { return ListChannels(env, *list_flags); });

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = group->add_subcommand("get", "Show one channel (secrets redacted)");
  get->add_option("id", *get_id, "Channel id")->required();
  table.Add(get, [get_id](CommandEnv& env) { return GetChannel(env, *get_id); });

  auto create_flags = std::make_shared<ChannelFlags>();
  CLI::App* create =
      group->add_subcommand("create", "Create a channel; prints it (secrets redacted) with its id");
  create->alias("add");
  create_flags->name_option =
      create->add_option("--name", create_flags->name, "Unique name, 1..200 characters")
          ->required();
  create_flags->type_option =
      create->add_option("--type", create_flags->type,
                         "slack, webhook, pagerduty, email, or a plugin's type name")
          ->required();
  AddConfigFlags(*create, *create_flags, /*create=*/true);
  table.Add(create, [create_flags](CommandEnv& env) { return Create(env, *create_flags); });

  auto update_id = std::make_shared<std::string>();
  auto update_flags = std::make_shared<ChannelFlags>();
  CLI::App* update = group->add_subcommand(
      "update", "Change the fields given by flags, and only those; prints the channel");
  update->add_option("id", *update_id, "Channel id")->required();
  update_flags->name_option = update->add_option("--name", update_flags->name, "New name");
  update_flags->type_option = update->add_option(
      "--type", update_flags->type, "New type (the config then starts empty: give all its keys)");
  AddConfigFlags(*update, *update_flags, /*create=*/false);
  table.Add(update, [update_id, update_flags](CommandEnv& env) {
    return Update(env, *update_id, *update_flags);
  });

  auto delete_ids = std::make_shared<std::vector<std::string>>();
  CLI::App* del = group->add_subcommand(
      "delete", "Delete channels (refused while monitors still alert through them)");
  del->alias("rm");
  del->add_option("ids", *delete_ids, "Channel ids")->required();
  table.Add(del, [delete_ids](CommandEnv& env) { return Delete(env, *delete_ids); });

  auto test_id = std::make_shared<std::string>();
  CLI::App* test = group->add_subcommand(
      "test", "Send a test message through a channel now; exit code 1 when not delivered");
  test->add_option("id", *test_id, "Channel id")->required();
  table.Add(test, [test_id](CommandEnv& env) { return Test(env, *test_id); });
}

}  // namespace uptime::cli
