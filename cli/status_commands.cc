// `uptimectl status`, `agents`, `cluster` and `version`: read-only views of
// the StatusService and ClusterService.
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/views.h"
#include "common/config.h"
#include "common/status_macros.h"
#include "google/protobuf/struct.pb.h"

namespace uptime::cli {
namespace {

struct StatusFlags {
  std::string id;
  std::string selector;
  std::string state;
};

absl::StatusOr<v1::State> ParseState(const std::string& text) {
  v1::State state;
  const std::string upper = absl::AsciiStrToUpper(text);
  if (upper == "UNSPECIFIED" || !v1::State_Parse(absl::StrCat("STATE_", upper), &state)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--state: expected up, down, pending, paused or maintenance, got '", text, "'"));
  }
  return state;
}

absl::Status ShowOne(CommandEnv& env, const std::string& id) {
  v1::GetStatusRequest request;
  request.set_monitor_id(id);
  v1::MonitorStatus status;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->statuses().GetStatus(ctx, request, &status);
  }));
  return env.printer->Print(status, [&] {
    google::protobuf::RepeatedPtrField<v1::MonitorStatus> one;
    *one.Add() = status;
    return StatusesTable(one, env.printer->now());
  });
}

// Every page: an overview that silently stops at 100 monitors would hide the
// DOWN ones sorted after them.
absl::Status ShowAll(CommandEnv& env, const StatusFlags& flags) {
  v1::ListStatusesRequest request;
  request.set_label_selector(flags.selector);
  if (!flags.state.empty()) {
    absl::StatusOr<v1::State> state = ParseState(flags.state);
    if (!state.ok()) return UsageError(state.status());
    request.set_state(*state);
  }
  v1::ListStatusesResponse merged;
  RETURN_IF_ERROR(env.api->ListPages(
      std::move(request), /*all=*/true,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->statuses().ListStatuses(ctx, req, page);
      },
      &merged));
  if (env.printer->format() == OutputFormat::kTable && merged.statuses().empty()) {
    *env.err << "no monitors found\n";
    return absl::OkStatus();
  }
  return env.printer->Print(
      merged, [&] { return StatusesTable(merged.statuses(), env.printer->now()); });
}

absl::Status Agents(CommandEnv& env) {
  v1::ListAgentsResponse response;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->cluster().ListAgents(ctx, v1::ListAgentsRequest(), &response);
  }));
  if (env.printer->format() == OutputFormat::kTable && response.agents().empty()) {
    *env.err << "no agents connected\n";
    return absl::OkStatus();
  }
  return env.printer->Print(response,
                            [&] { return AgentsTable(response.agents(), env.printer->now()); });
}

absl::Status Cluster(CommandEnv& env) {
  v1::ClusterInfo info;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->cluster().GetClusterInfo(ctx, v1::GetClusterInfoRequest(), &info);
  }));
  return env.printer->Print(info, [&] { return ClusterTable(info, env.printer->now()); });
}

// The client's version only: it must work when no coordinator is reachable,
// and `uptimectl cluster` shows the server's.
absl::Status Version(CommandEnv& env) {
  google::protobuf::Struct doc;
  (*doc.mutable_fields())["version"].set_string_value(std::string(uptime::Version()));
  return env.printer->Print(doc, [] {
    Table table({});
    table.AddRow({absl::StrCat("uptimectl ", uptime::Version())});
    return table;
  });
}

}  // namespace

void AddStatusCommands(CLI::App& root, CommandTable& table) {
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* status = root.add_subcommand("status", "Live status of one monitor, or of all");
  status->add_option("id", flags->id, "Monitor id (default: all monitors)");
  status->add_option("-l,--selector", flags->selector, "Label selector for the list");
  status->add_option("--state", flags->state, "Only up, down, pending, paused or maintenance");
  table.Add(status, [flags](CommandEnv& env) {
    if (flags->id.empty()) return ShowAll(env, *flags);
    if (!flags->selector.empty() || !flags->state.empty()) {
      return UsageError(absl::InvalidArgumentError("--selector and --state filter the list: "
                                                   "give them without a monitor id"));
    }
    return ShowOne(env, flags->id);
  });

  CLI::App* agents = root.add_subcommand("agents", "Connected agents and their load");
  table.Add(agents, [](CommandEnv& env) { return Agents(env); });

  CLI::App* cluster = root.add_subcommand("cluster", "The coordinator and monitor counts");
  table.Add(cluster, [](CommandEnv& env) { return Cluster(env); });

  CLI::App* version = root.add_subcommand("version", "Print uptimectl's version");
  table.Add(version, [](CommandEnv& env) { return Version(env); }, /*needs_api=*/false);
}

}  // namespace uptime::cli
