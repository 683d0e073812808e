#include "cli/cli.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/account_commands.h"
#include "cli/audit_commands.h"
#include "cli/channel_commands.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/auth.h"
#include "common/config.h"

namespace uptime::cli {
namespace {

// Global flags as typed; resolved into ConnectionOptions after parsing.
struct GlobalFlags {
  std::string addr = "localhost:7070";
  std::string token;
  std::string token_file;
  std::string output = "table";
  std::string timeout = "10s";
  ClientTlsOptions tls;
};

void AddGlobalFlags(CLI::App& app, GlobalFlags& g) {
  const std::string group = "Connection and output (also UPTIME_<FLAG> variables)";
  AddFlag(app, "addr", g.addr, "Coordinator HOST:PORT")->group(group);
  AddFlag(app, "token", g.token, "Bearer token (read or admin scope)")->group(group);
  AddFlag(app, "token-file", g.token_file, "File holding the bearer token")->group(group);
  // Not through AddFlag: it would lose the -o short name kubectl users type.
  app.add_option("-o,--output", g.output, "Output format: table, json or yaml")
      ->envname(EnvName("output"))
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json", "yaml"}))
      ->group(group);
  AddFlag(app, "timeout", g.timeout, "Deadline of each RPC")->group(group);
  AddSwitch(app, "tls", g.tls.enabled, "Connect with TLS")->group(group);
  AddFlag(app, "tls-ca", g.tls.ca_file, "CA certificates (PEM) to trust instead of the system's")
      ->group(group);
  AddFlag(app, "tls-cert", g.tls.cert_file, "Client certificate (PEM) for mutual TLS")
      ->group(group);
  AddFlag(app, "tls-key", g.tls.key_file, "Client private key (PEM) for mutual TLS")->group(group);
  AddFlag(app, "tls-server-name", g.tls.server_name, "Expected server name in its certificate")
      ->group(group);
}

absl::StatusOr<ConnectionOptions> Resolve(const GlobalFlags& g) {
  ConnectionOptions options;
  options.addr = g.addr;
  options.tls = g.tls;
  if (!absl::ParseDuration(g.timeout, &options.timeout) ||
      options.timeout <= absl::ZeroDuration() || options.timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout: expected a positive duration such as 10s, got '", g.timeout, "'"));
  }
  absl::StatusOr<std::string> token = ResolveToken("--token", g.token, g.token_file);
  if (!token.ok()) return token.status();
  options.token = *std::move(token);
  return options;
}

// The subcommand the user chose: CLI11 records one parsed subcommand per level.
const CLI::App* Leaf(const CLI::App& app) {
  const CLI::App* leaf = &app;
  while (!leaf->get_subcommands().empty()) leaf = leaf->get_subcommands().front();
  return leaf;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const CliEnv& env) {
  CLI::App app{"uptimectl: drive the uptime monitor's coordinator from a shell", "uptimectl"};
  // Global flags are accepted after the command name too.
  app.fallthrough();
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return absl::StrCat("error: ", e.what(), "\nRun with --help for more information.\n");
  });
  GlobalFlags globals;
  AddGlobalFlags(app, globals);
  CommandTable commands;
  AddMonitorCommands(app, commands);
  AddStatusCommands(app, commands);
  AddMaintenanceCommands(app, commands);
  AddStatusPageCommands(app, commands);
  AddChannelCommands(app, commands);
  AddAccountCommands(app, commands, PasswordInput{env.in, env.terminal.get()});
  AddAuditCommands(app, commands);

  // CLI11 reports errors by exception; none leaves this function.
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // CLI11 checks "a subcommand is required" before unknown words, which
    // hides the actual mistake: a misspelt command.
    const CLI::App* leaf = Leaf(app);
    if (leaf->get_require_subcommand_min() > 0 && !app.remaining().empty()) {
      *env.err << "error: unknown command '" << app.remaining().front() << "'"
               << (leaf == &app ? "" : absl::StrCat(" for '", leaf->get_name(), "'"))
               << "\nRun with --help for the list of commands.\n";
      return kExitUsage;
    }
    const int code = app.exit(e, *env.out, *env.err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  const CommandTable::Entry* entry = commands.Find(Leaf(app));
  if (entry == nullptr) {  // unreachable while every group requires a subcommand
    *env.err << "error: no command given\nRun with --help for more information.\n";
    return kExitUsage;
  }
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(globals.output);
  absl::StatusOr<ConnectionOptions> options = Resolve(globals);
  absl::Status usage = !format.ok() ? format.status() : options.status();
  std::unique_ptr<Api> api;
  if (usage.ok() && entry->needs_api) {
    absl::StatusOr<std::unique_ptr<Api>> connected = Api::Connect(*options, env.make_channel);
    if (connected.ok()) {
      api = *std::move(connected);
    } else {
      usage = connected.status();  // credentials: the user's files or flags
    }
  }
  if (!usage.ok()) {
    *env.err << FormatError(UsageError(usage)) << "\n";
    return kExitUsage;
  }

  Printer printer(*format, *env.out, env.now());
  CommandEnv command_env{api.get(), &printer, env.err};
  const absl::Status status = entry->action(command_env);
  env.out->flush();
  if (status.ok()) return kExitOk;
  *env.err << FormatError(status) << "\n";
  return IsUsageError(status) ? kExitUsage : kExitRpcFailure;
}

}  // namespace uptime::cli
