#include "cli/cli.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/account_commands.h"
#include "cli/audit_commands.h"
#include "cli/channel_commands.h"
#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/config_commands.h"
#include "cli/config_contexts.h"
#include "cli/history_commands.h"
#include "cli/manifest_commands.h"
#include "cli/output.h"
#include "cli/watch_command.h"
#include "common/auth.h"
#include "common/config.h"
#include "common/flags.h"
#include "common/status_macros.h"

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
  std::string context;  // config_contexts.h
};

void AddGlobalFlags(CLI::App& app, GlobalFlags& g) {
  const std::string group = "Connection and output (also UPTIME_<FLAG> variables)";
  AddFlag(app, "addr", g.addr, "Coordinator HOST:PORT")->group(group);
  AddFlag(app, "token", g.token, "Bearer token (read or admin scope)")->group(group);
  AddFlag(app, "token-file", g.token_file, "File holding the bearer token")->group(group);
  // Not through AddFlag: it would lose the -o short name kubectl users type.
  app.add_option("-o,--output", g.output,
                 "Output format: table, wide (a table with more columns), json or yaml")
      ->envname(EnvName("output"))
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "wide", "json", "yaml"}))
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
  AddFlag(app, "context", g.context,
          "Context of the config file to use instead of its current one (uptimectl config)")
      ->group(group);
}

// Fills the connection settings given neither as flags nor as UPTIME_*
// variables from the chosen context: CLI11 counts an option set from its
// variable as given (count() > 0), so flag > variable > context > default.
absl::Status ApplyContext(const CLI::App& app, const GetEnv& getenv, GlobalFlags& g) {
  absl::StatusOr<std::string> path = ConfigPath(getenv);
  if (!path.ok()) return g.context.empty() ? absl::OkStatus() : path.status();
  ASSIGN_OR_RETURN(ContextsFile file, LoadContexts(*path));
  ASSIGN_OR_RETURN(std::optional<Context> context, SelectContext(file, g.context, *path));
  if (!context.has_value()) return absl::OkStatus();
  auto given = [&](const std::string& flag) { return app.get_option("--" + flag)->count() > 0; };
  auto file_path = [&](const std::string& value) {
    return ContextFilePath(value, *path, getenv);
  };
  if (!given("addr") && !context->addr.empty()) g.addr = context->addr;
  if (!given("timeout") && !context->timeout.empty()) g.timeout = context->timeout;
  if (!given("token") && !given("token-file") &&
      (!context->token.empty() || !context->token_file.empty())) {
    absl::StatusOr<std::string> token =
        ResolveToken("token", context->token, file_path(context->token_file));
    if (!token.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(*path, ": context '", context->name,
                                                     "': ", token.status().message()));
    }
    g.token = *std::move(token);
    g.token_file.clear();
  }
  const ContextTls& tls = context->tls;
  if (!given("tls") && tls.enabled.has_value()) g.tls.enabled = *tls.enabled;
  if (!given("tls-ca") && !tls.ca.empty()) g.tls.ca_file = file_path(tls.ca);
  if (!given("tls-cert") && !tls.cert.empty()) g.tls.cert_file = file_path(tls.cert);
  if (!given("tls-key") && !tls.key.empty()) g.tls.key_file = file_path(tls.key);
  if (!given("tls-server-name") && !tls.server_name.empty()) {
    g.tls.server_name = tls.server_name;
  }
  return absl::OkStatus();
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
  absl::StatusOr<std::string> token = ResolveToken("token", g.token, g.token_file);
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

// The exit codes of cli.h for `uptimectl --help`: a "Title:" section with
// descriptions from column 30 like CLI11's own, so docs/gen_configuration.mjs
// reads it as one more section.
constexpr absl::string_view kExitCodesFooter =
    "Exit codes:\n"
    "  0                           success\n"
    "  1                           any other error (the coordinator refused the request)\n"
    "  2                           bad usage, found before any RPC\n"
    "  3                           not found\n"
    "  4                           unauthenticated or permission denied\n"
    "  5                           coordinator unreachable, unavailable or too slow\n"
    "                              (UNAVAILABLE, DEADLINE_EXCEEDED)";

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (IsUsageError(status)) return kExitUsage;
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitDenied;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    default:
      return kExitError;
  }
}

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
  AddManifestCommands(app, commands);
  AddConfigCommands(app, commands, ConfigPath(env.getenv));
  AddHistoryCommands(app, commands);
  AddWatchCommands(app, commands, env.stop);
  AddCompletionCommands(app, commands);
  // A callback because subcommands would copy a footer string when added.
  app.footer([] { return std::string(kExitCodesFooter); });

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
  // Only commands that connect read the context: a broken config file must
  // not stop `config set-context` from fixing it.
  const absl::Status context =
      entry->needs_api ? ApplyContext(app, env.getenv, globals) : absl::OkStatus();
  absl::StatusOr<ConnectionOptions> options = Resolve(globals);
  absl::Status usage = !format.ok()   ? format.status()
                       : !context.ok() ? context
                                       : options.status();
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
  printer.set_wide(globals.output == "wide");
  CommandEnv command_env{api.get(), &printer, env.err};
  const absl::Status status = entry->action(command_env);
  env.out->flush();
  if (status.ok()) return kExitOk;
  *env.err << FormatError(status) << "\n";
  return ExitCodeFor(status);
}

}  // namespace uptime::cli
