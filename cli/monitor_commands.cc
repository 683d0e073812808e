// `uptimectl monitors ...`: the MonitorService from a shell.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/monitor_spec.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

namespace uptime::cli {
namespace {

void AddMonitorFlags(CLI::App& cmd, MonitorFlags& f) {
  cmd.add_option("name", f.name, "Monitor name (unique)")->required();
  const std::string type_group = "Check type (exactly one)";
  cmd.add_option("--url", f.url, "HTTP(S) check of this URL")->group(type_group);
  cmd.add_option("--tcp", f.tcp, "TCP connect check of HOST:PORT")->group(type_group);
  cmd.add_option("--dns", f.dns, "DNS check resolving NAME")->group(type_group);
  cmd.add_option("--grpc", f.grpc, "gRPC health check of HOST:PORT")->group(type_group);
  cmd.add_option("--icmp", f.icmp, "ICMP echo check of HOST")->group(type_group);

  const std::string http = "HTTP (--url)";
  cmd.add_option("--method", f.method, "Request method (default GET)")->group(http);
  Repeatable(cmd.add_option("--header", f.headers, "Request header 'Name: value' (repeatable)"))
      ->group(http);
  cmd.add_option("--body", f.body, "Request body")->group(http);
  Repeatable(cmd.add_option("--expect-status", f.expect_status,
                            "Accepted statuses: 200-299, 301, 2xx (repeatable; default 200-399)"))
      ->group(http);
  cmd.add_option("--keyword", f.keyword, "Text the body must contain")->group(http);
  cmd.add_option("--keyword-absent", f.keyword_absent, "Text the body must not contain")
      ->group(http);
  cmd.add_flag("--no-follow-redirects", f.no_follow_redirects, "Do not follow redirects")
      ->group(http);
  cmd.add_flag("--insecure", f.insecure, "Skip TLS verification (HTTP and gRPC)")->group(http);

  const std::string dns = "DNS (--dns)";
  cmd.add_option("--record-type", f.record_type, "A (default), AAAA, CNAME, MX, TXT or NS")
      ->group(dns);
  cmd.add_option("--expect", f.expect, "An answer that must be present")->group(dns);
  cmd.add_option("--resolver", f.resolver, "Resolver HOST[:PORT] (default: the agent's)")
      ->group(dns);

  const std::string grpc = "gRPC (--grpc)";
  cmd.add_option("--grpc-service", f.grpc_service, "Service to ask about (default: server)")
      ->group(grpc);
  cmd.add_flag("--grpc-tls", f.grpc_tls, "Connect with TLS")->group(grpc);

  const std::string schedule = "Schedule and alerts";
  cmd.add_option("--interval", f.interval, "Time between checks, 1s..24h (default 60s)")
      ->group(schedule);
  // Same name as the global RPC --timeout: CLI11 gives the subcommand's own
  // option precedence, and the global one still works before `monitors`.
  cmd.add_option("--timeout", f.timeout,
                 "Per-check timeout, < interval (the RPC deadline is the global --timeout, "
                 "given before the command)")
      ->group(schedule);
  cmd.add_option("--failure-threshold", f.failure_threshold,
                 "Consecutive failures before DOWN (default 1)")
      ->group(schedule);
  cmd.add_option("--recovery-threshold", f.recovery_threshold,
                 "Consecutive successes before UP (default 1)")
      ->group(schedule);
  Repeatable(cmd.add_option("--channel", f.channels, "Notification channel id (repeatable)"))
      ->group(schedule);
  cmd.add_option("--renotify-interval", f.renotify_interval, "Re-alert while DOWN every this long")
      ->group(schedule);
  cmd.add_option("--tls-expiry-warning-days", f.tls_expiry_warning_days,
                 "Warn this many days before the certificate expires")
      ->group(schedule);
  Repeatable(cmd.add_option("--label", f.labels, "Label k=v (repeatable, or k=v,k2=v2)"))
      ->group(schedule);

  const std::string where = "Locations";
  cmd.add_option("--locations", f.locations, "Agent label selector, e.g. 'region=eu-west'")
      ->group(where);
  cmd.add_option("--location-label", f.location_label, "Label telling locations apart (region)")
      ->group(where);
  cmd.add_option("--location-count", f.location_count, "Distinct locations that check it")
      ->group(where);
  cmd.add_option("--quorum", f.quorum, "Locations that must fail for DOWN")->group(where);
}

absl::Status PrintMonitor(CommandEnv& env, const v1::Monitor& monitor) {
  return env.printer->Print(monitor, [&] {
    google::protobuf::RepeatedPtrField<v1::Monitor> one;
    *one.Add() = monitor;
    return MonitorsTable(one);
  });
}

absl::Status Add(CommandEnv& env, const MonitorFlags& flags) {
  absl::StatusOr<v1::Monitor> monitor = BuildMonitor(flags);
  if (!monitor.ok()) return UsageError(monitor.status());
  v1::CreateMonitorRequest request;
  *request.mutable_monitor() = *std::move(monitor);
  v1::Monitor created;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->monitors().CreateMonitor(ctx, request, &created);
  }));
  return PrintMonitor(env, created);
}

struct MonitorListFlags {
  std::string selector;
  bool all = false;
  int page_size = 0;
  std::string page_token;
};

absl::Status ListMonitors(CommandEnv& env, const MonitorListFlags& flags) {
  v1::ListMonitorsRequest request;
  request.set_label_selector(flags.selector);
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  v1::ListMonitorsResponse merged;
  RETURN_IF_ERROR(env.api->ListPages(
      std::move(request), flags.all,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->monitors().ListMonitors(ctx, req, page);
      },
      &merged));
  return PrintList(env, merged, merged.monitors_size(), merged.next_page_token(), "monitors",
                   [&] { return MonitorsTable(merged.monitors()); });
}

absl::Status GetMonitor(CommandEnv& env, const std::string& id) {
  v1::GetMonitorRequest request;
  request.set_id(id);
  v1::Monitor monitor;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->monitors().GetMonitor(ctx, request, &monitor);
  }));
  return PrintMonitor(env, monitor);
}

// NOT_FOUND on one id does not stop the others (see DeleteEach).
absl::Status RemoveMonitors(CommandEnv& env, const std::vector<std::string>& ids) {
  return DeleteEach(env, ids, [&](const std::string& id) {
    v1::DeleteMonitorRequest request;
    request.set_id(id);
    google::protobuf::Empty empty;
    return env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->monitors().DeleteMonitor(ctx, request, &empty);
    });
  });
}

absl::Status SetPaused(CommandEnv& env, const std::string& id, bool pause) {
  v1::Monitor monitor;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    if (pause) {
      v1::PauseMonitorRequest request;
      request.set_id(id);
      return env.api->monitors().PauseMonitor(ctx, request, &monitor);
    }
    v1::ResumeMonitorRequest request;
    request.set_id(id);
    return env.api->monitors().ResumeMonitor(ctx, request, &monitor);
  }));
  return PrintMonitor(env, monitor);
}

}  // namespace

void AddMonitorCommands(CLI::App& root, CommandTable& table) {
  CLI::App* monitors = root.add_subcommand("monitors", "Create, list and manage monitors");
  monitors->alias("monitor");
  monitors->require_subcommand(1);

  auto add_flags = std::make_shared<MonitorFlags>();
  CLI::App* add = monitors->add_subcommand("add", "Create a monitor; prints it with its id");
  AddMonitorFlags(*add, *add_flags);
  table.Add(add, [add_flags](CommandEnv& env) { return Add(env, *add_flags); });

  auto list_flags = std::make_shared<MonitorListFlags>();
  CLI::App* list = monitors->add_subcommand("list", "List monitors, ordered by id");
  list->alias("ls");
  list->add_option("-l,--selector", list_flags->selector, "Label selector, e.g. 'env=prod,!canary'");
  list->add_flag("--all", list_flags->all, "Fetch every page, not just the first");
  list->add_option("--page-size", list_flags->page_size, "Monitors per page (server default 100)");
  list->add_option("--page-token", list_flags->page_token, "Continue from this page token");
  table.Add(list, [list_flags](CommandEnv& env) { return ListMonitors(env, *list_flags); });

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = monitors->add_subcommand("get", "Show one monitor (use -o yaml for all fields)");
  get->add_option("id", *get_id, "Monitor id")->required();
  table.Add(get, [get_id](CommandEnv& env) { return GetMonitor(env, *get_id); });

  auto rm_ids = std::make_shared<std::vector<std::string>>();
  CLI::App* rm = monitors->add_subcommand("rm", "Delete monitors");
  rm->alias("delete");
  rm->add_option("ids", *rm_ids, "Monitor ids")->required();
  table.Add(rm, [rm_ids](CommandEnv& env) { return RemoveMonitors(env, *rm_ids); });

  for (const bool pause : {true, false}) {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = monitors->add_subcommand(
        pause ? "pause" : "resume",
        pause ? "Stop checking a monitor (state PAUSED)" : "Check a paused monitor again");
    cmd->add_option("id", *id, "Monitor id")->required();
    table.Add(cmd, [id, pause](CommandEnv& env) { return SetPaused(env, *id, pause); });
  }
}

}  // namespace uptime::cli
