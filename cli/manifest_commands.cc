#include "cli/manifest_commands.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/manifest/export.h"
#include "cli/manifest/manifest.h"
#include "cli/manifest/plan.h"
#include "cli/manifest/validation.h"
#include "common/status_macros.h"

namespace uptime::cli {
namespace {

using manifest::Kind;

struct ManifestFlags {
  std::vector<std::string> files;
  bool prune = false;
  bool dry_run = false;
};

// Every page of a List call.
template <typename Request, typename Response, typename Rpc>
absl::StatusOr<Response> ListAll(const Api& api, Rpc rpc) {
  Request request;
  request.set_page_size(1000);
  Response merged;
  RETURN_IF_ERROR(api.ListPages(request, true, rpc, &merged));
  return merged;
}

absl::StatusOr<manifest::ServerState> FetchState(const Api& api) {
  manifest::ServerState state;
  ASSIGN_OR_RETURN(auto channels, (ListAll<v1::ListChannelsRequest, v1::ListChannelsResponse>(
                                      api, [&](grpc::ClientContext* c, const auto& r, auto* out) {
                                        return api.notifications().ListChannels(c, r, out);
                                      })));
  state.channels.assign(channels.channels().begin(), channels.channels().end());
  ASSIGN_OR_RETURN(auto monitors, (ListAll<v1::ListMonitorsRequest, v1::ListMonitorsResponse>(
                                      api, [&](grpc::ClientContext* c, const auto& r, auto* out) {
                                        return api.monitors().ListMonitors(c, r, out);
                                      })));
  state.monitors.assign(monitors.monitors().begin(), monitors.monitors().end());
  ASSIGN_OR_RETURN(auto windows,
                   (ListAll<v1::ListMaintenanceWindowsRequest, v1::ListMaintenanceWindowsResponse>(
                       api, [&](grpc::ClientContext* c, const auto& r, auto* out) {
                         return api.maintenance().ListMaintenanceWindows(c, r, out);
                       })));
  state.windows.assign(windows.windows().begin(), windows.windows().end());
  ASSIGN_OR_RETURN(auto pages, (ListAll<v1::ListStatusPagesRequest, v1::ListStatusPagesResponse>(
                                   api, [&](grpc::ClientContext* c, const auto& r, auto* out) {
                                     return api.status_pages().ListStatusPages(c, r, out);
                                   })));
  state.pages.assign(pages.status_pages().begin(), pages.status_pages().end());
  return state;
}

// Writes through the public API, one RPC per object.
class ApiCatalogClient : public manifest::CatalogClient {
 public:
  explicit ApiCatalogClient(const Api& api) : api_(api) {}

  absl::StatusOr<std::string> Create(Kind kind, const google::protobuf::Message& object) override {
    std::string id;
    absl::Status s;
    switch (kind) {
      case Kind::kChannel: {
        v1::CreateChannelRequest req;
        req.mutable_channel()->CopyFrom(object);
        v1::Channel resp;
        s = api_.Call([&](grpc::ClientContext* c) {
          return api_.notifications().CreateChannel(c, req, &resp);
        });
        id = resp.id();
        break;
      }
      case Kind::kMonitor: {
        v1::CreateMonitorRequest req;
        req.mutable_monitor()->CopyFrom(object);
        v1::Monitor resp;
        s = api_.Call(
            [&](grpc::ClientContext* c) { return api_.monitors().CreateMonitor(c, req, &resp); });
        id = resp.id();
        break;
      }
      case Kind::kMaintenanceWindow: {
        v1::CreateMaintenanceWindowRequest req;
        req.mutable_window()->CopyFrom(object);
        v1::MaintenanceWindow resp;
        s = api_.Call([&](grpc::ClientContext* c) {
          return api_.maintenance().CreateMaintenanceWindow(c, req, &resp);
        });
        id = resp.id();
        break;
      }
      case Kind::kStatusPage: {
        v1::CreateStatusPageRequest req;
        req.mutable_status_page()->CopyFrom(object);
        v1::StatusPage resp;
        s = api_.Call([&](grpc::ClientContext* c) {
          return api_.status_pages().CreateStatusPage(c, req, &resp);
        });
        id = resp.id();
        break;
      }
    }
    if (!s.ok()) return s;
    return id;
  }

  absl::Status Update(Kind kind, const std::string& id, const google::protobuf::Message& object,
                      const google::protobuf::FieldMask& mask) override {
    switch (kind) {
      case Kind::kChannel: {
        v1::UpdateChannelRequest req;
        req.mutable_channel()->CopyFrom(object);
        req.mutable_channel()->set_id(id);
        *req.mutable_update_mask() = mask;
        v1::Channel resp;
        return api_.Call([&](grpc::ClientContext* c) {
          return api_.notifications().UpdateChannel(c, req, &resp);
        });
      }
      case Kind::kMonitor: {
        v1::UpdateMonitorRequest req;
        req.mutable_monitor()->CopyFrom(object);
        req.mutable_monitor()->set_id(id);
        *req.mutable_update_mask() = mask;
        v1::Monitor resp;
        return api_.Call(
            [&](grpc::ClientContext* c) { return api_.monitors().UpdateMonitor(c, req, &resp); });
      }
      case Kind::kMaintenanceWindow: {
        v1::UpdateMaintenanceWindowRequest req;
        req.mutable_window()->CopyFrom(object);
        req.mutable_window()->set_id(id);
        *req.mutable_update_mask() = mask;
        v1::MaintenanceWindow resp;
        return api_.Call([&](grpc::ClientContext* c) {
          return api_.maintenance().UpdateMaintenanceWindow(c, req, &resp);
        });
      }
      case Kind::kStatusPage: {
        v1::UpdateStatusPageRequest req;
        req.mutable_status_page()->CopyFrom(object);
        req.mutable_status_page()->set_id(id);
        *req.mutable_update_mask() = mask;
        v1::StatusPage resp;
        return api_.Call([&](grpc::ClientContext* c) {
          return api_.status_pages().UpdateStatusPage(c, req, &resp);
        });
      }
    }
    return absl::OkStatus();
  }

  absl::Status Delete(Kind kind, const std::string& id) override {
    google::protobuf::Empty resp;
    switch (kind) {
      case Kind::kChannel: {
        v1::DeleteChannelRequest req;
        req.set_id(id);
        return api_.Call([&](grpc::ClientContext* c) {
          return api_.notifications().DeleteChannel(c, req, &resp);
        });
      }
      case Kind::kMonitor: {
        v1::DeleteMonitorRequest req;
        req.set_id(id);
        return api_.Call(
            [&](grpc::ClientContext* c) { return api_.monitors().DeleteMonitor(c, req, &resp); });
      }
      case Kind::kMaintenanceWindow: {
        v1::DeleteMaintenanceWindowRequest req;
        req.set_id(id);
        return api_.Call([&](grpc::ClientContext* c) {
          return api_.maintenance().DeleteMaintenanceWindow(c, req, &resp);
        });
      }
      case Kind::kStatusPage: {
        v1::DeleteStatusPageRequest req;
        req.set_id(id);
        return api_.Call([&](grpc::ClientContext* c) {
          return api_.status_pages().DeleteStatusPage(c, req, &resp);
        });
      }
    }
    return absl::OkStatus();
  }

 private:
  const Api& api_;
};

// Prints `diagnostics` and turns errors among them into a usage error
// (exit 2): the files are the user's to fix, and nothing was changed.
absl::Status Report(CommandEnv& env, const std::vector<manifest::Diagnostic>& diagnostics) {
  int errors = 0;
  for (const manifest::Diagnostic& d : diagnostics) {
    *env.err << d.ToString() << "\n";
    if (!d.warning) ++errors;
  }
  if (errors == 0) return absl::OkStatus();
  return UsageError(absl::InvalidArgumentError(absl::StrCat(
      errors, errors == 1 ? " error" : " errors", " in the files; nothing was changed")));
}

// Loads, validates against the server's rules and plans; nothing changes.
absl::StatusOr<std::pair<manifest::Plan, manifest::ServerState>> Prepare(
    CommandEnv& env, const ManifestFlags& flags) {
  manifest::LoadResult loaded = manifest::LoadManifests(flags.files, manifest::ProcessEnv());
  RETURN_IF_ERROR(Report(env, loaded.diagnostics));
  // Offline rules first: a broken file fails even when the server is down.
  std::vector<manifest::Diagnostic> offline = manifest::ValidateManifest(loaded.manifest, nullptr);
  offline.erase(std::remove_if(offline.begin(), offline.end(),
                               [](const manifest::Diagnostic& d) { return d.warning; }),
                offline.end());
  RETURN_IF_ERROR(Report(env, offline));
  ASSIGN_OR_RETURN(manifest::ServerState state, FetchState(*env.api));
  std::set<std::pair<Kind, std::string>> known;
  for (Kind kind : manifest::kAllKinds) {
    for (const auto& [id, m] : state.Of(kind)) known.insert({kind, manifest::NameOf(*m)});
  }
  const manifest::KnownFn is_known = [&](Kind kind, const std::string& name) {
    return known.contains({kind, name});
  };
  RETURN_IF_ERROR(Report(env, manifest::ValidateManifest(loaded.manifest, &is_known)));
  manifest::PlanResult planned =
      manifest::MakePlan(loaded.manifest, state,
                         {.prune = flags.prune, .now = env.printer->now(), .new_salt = nullptr});
  RETURN_IF_ERROR(Report(env, planned.diagnostics));
  return std::make_pair(std::move(planned.plan), std::move(state));
}

absl::Status RunApply(CommandEnv& env, const ManifestFlags& flags) {
  ASSIGN_OR_RETURN(auto prepared, Prepare(env, flags));
  auto& [plan, state] = prepared;
  std::ostream& out = env.printer->out();
  if (flags.dry_run) {
    manifest::PrintPlan(plan, out);
    out << "(dry run: nothing was changed)\n";
    return absl::OkStatus();
  }
  ApiCatalogClient client(*env.api);
  const absl::Status status =
      manifest::ExecutePlan(plan, state, client, [&](const manifest::Step& step) {
        const std::string what = absl::StrCat(manifest::KindName(step.kind), "/", step.name);
        switch (step.action) {
          case manifest::StepAction::kCreate:
            out << "created " << what << "\n";
            break;
          case manifest::StepAction::kUpdate:
            out << "updated " << what << " (" << absl::StrJoin(step.mask.paths(), ", ") << ")\n";
            break;
          case manifest::StepAction::kDelete:
            out << "deleted " << what << "\n";
            break;
        }
      });
  if (!status.ok()) return status;
  out << plan.Count(manifest::StepAction::kCreate) << " created, "
      << plan.Count(manifest::StepAction::kUpdate) << " updated, "
      << plan.Count(manifest::StepAction::kDelete) << " deleted, " << plan.unchanged
      << " unchanged\n";
  return absl::OkStatus();
}

absl::Status RunDiff(CommandEnv& env, const ManifestFlags& flags) {
  ASSIGN_OR_RETURN(auto prepared, Prepare(env, flags));
  const manifest::Plan& plan = prepared.first;
  manifest::PrintPlan(plan, env.printer->out());
  if (plan.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "diff: ", plan.steps.size(), plan.steps.size() == 1 ? " object differs" : " objects differ",
      " from the files"));
}

absl::Status RunValidate(CommandEnv& env, const ManifestFlags& flags) {
  manifest::LoadResult loaded = manifest::LoadManifests(flags.files, manifest::ProcessEnv());
  RETURN_IF_ERROR(Report(env, loaded.diagnostics));
  RETURN_IF_ERROR(Report(env, manifest::ValidateManifest(loaded.manifest, nullptr)));
  int counts[4] = {0, 0, 0, 0};
  for (const manifest::Object& o : loaded.manifest.objects) ++counts[static_cast<int>(o.kind)];
  std::vector<std::string> parts;
  for (Kind kind : manifest::kAllKinds) {
    const int n = counts[static_cast<int>(kind)];
    if (n > 0) parts.push_back(absl::StrCat(n, " ", manifest::KindName(kind), n == 1 ? "" : "s"));
  }
  env.printer->out() << "valid: " << (parts.empty() ? "no objects" : absl::StrJoin(parts, ", "))
                     << "\n";
  return absl::OkStatus();
}

struct ExportFlags {
  std::vector<std::string> kinds;
  std::string selector;
};

absl::Status RunExport(CommandEnv& env, const ExportFlags& flags) {
  manifest::ExportOptions options;
  for (const std::string& text : flags.kinds) {
    Kind kind;
    if (!manifest::ParseKind(text, &kind)) {
      return UsageError(absl::InvalidArgumentError(absl::StrCat(
          "unknown kind '", text, "': Channel, Monitor, MaintenanceWindow or StatusPage")));
    }
    options.kinds.push_back(kind);
  }
  options.label_selector = flags.selector;
  ASSIGN_OR_RETURN(manifest::ServerState state, FetchState(*env.api));
  absl::StatusOr<manifest::ExportResult> result = manifest::ExportObjects(state, options);
  if (!result.ok()) return UsageError(result.status());
  env.printer->out() << result->yaml;
  for (const std::string& w : result->warnings) *env.err << "warning: " << w << "\n";
  if (!result->variables.empty()) {
    *env.err << "Secrets are written as ${VAR} placeholders; set these variables before apply:\n";
    for (const std::string& v : result->variables) *env.err << "  " << v << "\n";
  }
  return absl::OkStatus();
}

void AddFileFlags(CLI::App& cmd, ManifestFlags& flags) {
  Repeatable(cmd.add_option("-f,--filename", flags.files,
                            "A manifest file, or a directory read recursively (*.yaml, *.yml); "
                            "repeatable")
                 ->required());
}

}  // namespace

void AddManifestCommands(CLI::App& root, CommandTable& table) {
  {
    auto flags = std::make_shared<ManifestFlags>();
    CLI::App* cmd = root.add_subcommand(
        "apply", "Create, update (and with --prune delete) objects to match manifest files");
    AddFileFlags(*cmd, *flags);
    cmd->add_flag(
        "--prune", flags->prune,
        "Also delete objects labelled uptime.dev/managed-by=uptimectl that are not in the files");
    cmd->add_flag("--dry-run", flags->dry_run, "Print the plan only; change nothing");
    table.Add(cmd, [flags](CommandEnv& env) { return RunApply(env, *flags); });
  }
  {
    auto flags = std::make_shared<ManifestFlags>();
    CLI::App* cmd = root.add_subcommand(
        "diff", "Show what apply would change; exit code 0 when nothing, 1 when something");
    AddFileFlags(*cmd, *flags);
    cmd->add_flag("--prune", flags->prune, "Include the deletions apply --prune would make");
    table.Add(cmd, [flags](CommandEnv& env) { return RunDiff(env, *flags); });
  }
  {
    auto flags = std::make_shared<ManifestFlags>();
    CLI::App* cmd = root.add_subcommand(
        "validate",
        "Check manifest files offline against the server's rules (no coordinator needed)");
    AddFileFlags(*cmd, *flags);
    table.Add(
        cmd, [flags](CommandEnv& env) { return RunValidate(env, *flags); }, /*needs_api=*/false);
  }
  {
    auto flags = std::make_shared<ExportFlags>();
    CLI::App* cmd = root.add_subcommand(
        "export", "Print the server's objects as manifest documents (secrets as ${VAR})");
    cmd->add_option(
        "kind", flags->kinds,
        "Kinds to export: Channel, Monitor, MaintenanceWindow, StatusPage (default: all)");
    cmd->add_option("-l,--selector", flags->selector,
                    "Only objects whose labels match this selector");
    table.Add(cmd, [flags](CommandEnv& env) { return RunExport(env, *flags); });
  }
}

}  // namespace uptime::cli
