#include "cli/watch_command.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "cli/views.h"
#include "common/status_macros.h"

namespace uptime::cli {
namespace {

constexpr absl::Duration kInitialBackoff = absl::Milliseconds(500);
constexpr absl::Duration kMaxBackoff = absl::Seconds(30);

struct WatchFlags {
  std::string selector;
  std::vector<std::string> monitors;
  bool results = false;
};

// Codes after which reopening the same stream cannot help: the user has to
// change the token, the role or the request.
bool Retriable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return false;
    default:
      return true;
  }
}

std::string UtcTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone());
}

// Prints events one by one as they arrive. A table cannot be aligned over
// rows not yet seen, so lines use fixed column widths (wider cells push
// the rest right, like kubectl's watch output).
class EventPrinter {
 public:
  explicit EventPrinter(CommandEnv& env) : env_(env) {}

  void Remember(const std::string& id, const std::string& name) { names_[id] = name; }

  // The table header, once, when the watch is in place.
  void Started() {
    if (env_.printer->format() != OutputFormat::kTable || header_printed_) return;
    header_printed_ = true;
    Line("TIME (UTC)", "MONITOR", "EVENT", "DETAIL");
  }

  absl::Status Print(const v1::Event& event) {
    if (event.has_state_change()) Remember(event.state_change().monitor_id(),
                                           event.state_change().monitor_name());
    switch (env_.printer->format()) {
      case OutputFormat::kJson: {
        ASSIGN_OR_RETURN(std::string json, ToJson(event, /*pretty=*/false));
        env_.printer->out() << json << "\n";
        break;
      }
      case OutputFormat::kYaml: {
        ASSIGN_OR_RETURN(std::string json, ToJson(event));
        ASSIGN_OR_RETURN(std::string yaml, JsonToYaml(json));
        env_.printer->out() << "---\n" << yaml;
        break;
      }
      case OutputFormat::kTable:
        Started();
        if (event.has_state_change()) PrintChange(event.state_change());
        if (event.has_result()) PrintResult(event.result());
        break;
    }
    // Someone reads this live, often through a pipe.
    env_.printer->out().flush();
    return absl::OkStatus();
  }

 private:
  void Line(const std::string& time, const std::string& monitor, const std::string& event,
            const std::string& detail) {
    std::string line = absl::StrFormat("%-19s  %-24s  %-18s  %s", time, monitor, event, detail);
    line.erase(line.find_last_not_of(' ') + 1);
    env_.printer->out() << line << "\n";
  }

  std::string NameOf(const std::string& id) const {
    auto it = names_.find(id);
    return it == names_.end() || it->second.empty() ? id : it->second;
  }

  void PrintChange(const v1::StateChange& change) {
    const absl::Time time =
        absl::FromUnixSeconds(change.time().seconds()) + absl::Nanoseconds(change.time().nanos());
    std::string detail = change.cause().empty() ? "-" : change.cause();
    if (env_.printer->wide()) {
      absl::StrAppend(&detail, "  id=", change.monitor_id());
      if (!change.incident_id().empty()) absl::StrAppend(&detail, " incident=", change.incident_id());
    }
    Line(UtcTime(time), NameOf(change.monitor_id()),
         absl::StrCat(StateName(change.from_state()), " -> ", StateName(change.to_state())),
         detail);
  }

  void PrintResult(const v1::CheckResult& r) {
    std::string detail = FormatLatency(r.latency_us());
    absl::StrAppend(&detail, "  ", r.http_status() != 0 ? absl::StrCat("HTTP ", r.http_status())
                                                       : std::string("-"));
    absl::StrAppend(&detail, "  ", r.location().empty() ? "-" : r.location());
    if (env_.printer->wide()) absl::StrAppend(&detail, "  agent=", r.agent_id());
    if (!r.success()) {
      absl::string_view kind = v1::ErrorKind_Name(r.error_kind());
      absl::ConsumePrefix(&kind, "ERROR_KIND_");
      absl::StrAppend(&detail, "  ", absl::AsciiStrToLower(kind));
      if (!r.error_message().empty()) absl::StrAppend(&detail, ": ", r.error_message());
    }
    Line(UtcTime(absl::FromUnixMicros(r.start_time_us())), NameOf(r.monitor_id()),
         r.success() ? "result ok" : "result FAIL", detail);
  }

  CommandEnv& env_;
  std::map<std::string, std::string> names_;  // monitor id -> name
  bool header_printed_ = false;
};

// Names for result lines, which carry only the monitor id. Best effort: a
// failure here shows again, with its exit code, when the watch starts.
void LoadNames(CommandEnv& env, const WatchFlags& flags, EventPrinter& printer) {
  v1::ListStatusesRequest request;
  request.set_label_selector(flags.selector);
  v1::ListStatusesResponse merged;
  const absl::Status status = env.api->ListPages(
      std::move(request), /*all=*/true,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->statuses().ListStatuses(ctx, req, page);
      },
      &merged);
  if (!status.ok()) return;
  for (const v1::MonitorStatus& s : merged.statuses()) {
    printer.Remember(s.monitor_id(), s.monitor_name());
  }
}

absl::Status Watch(CommandEnv& env, const WatchFlags& flags, StopSignal& stop) {
  v1::WatchEventsRequest request;
  request.set_label_selector(flags.selector);
  for (const std::string& id : flags.monitors) request.add_monitor_ids(id);
  request.set_include_results(flags.results);

  EventPrinter printer(env);
  if (flags.results && env.printer->format() == OutputFormat::kTable) {
    LoadNames(env, flags, printer);
  }
  absl::Duration backoff = kInitialBackoff;
  bool ever_connected = false;
  while (!stop.stopped()) {
    std::unique_ptr<grpc::ClientContext> ctx = env.api->StreamContext();
    grpc::Status status;
    {
      std::unique_ptr<StopSignal::Registration> cancel =
          stop.OnStop([&ctx] { ctx->TryCancel(); });
      std::unique_ptr<grpc::ClientReaderInterface<v1::Event>> reader =
          env.api->statuses().WatchEvents(ctx.get(), request);
      // The coordinator sends metadata as soon as the watch is in place; a
      // call that failed returns here too, on a channel that is not READY.
      reader->WaitForInitialMetadata();
      if (env.api->Connected() && !stop.stopped()) {
        if (ever_connected) {
          *env.err << "watch: reconnected; changes while disconnected are not shown "
                      "(see `uptimectl status`)\n";
        }
        ever_connected = true;
        backoff = kInitialBackoff;
        printer.Started();
        env.printer->out().flush();
      }
      uint64_t last_sequence = 0;  // per stream: a new stream counts from 1
      v1::Event event;
      while (reader->Read(&event)) {
        if (event.sequence() > last_sequence + 1) {
          *env.err << "watch: " << event.sequence() - last_sequence - 1
                   << " event(s) dropped by the coordinator (sequence " << last_sequence + 1
                   << ".." << event.sequence() - 1 << "): this watcher fell behind\n";
        }
        last_sequence = std::max(last_sequence, event.sequence());
        RETURN_IF_ERROR(printer.Print(event));
      }
      status = reader->Finish();
    }
    if (stop.stopped()) break;
    if (!ever_connected || !Retriable(status.error_code())) {
      if (status.ok()) return absl::UnavailableError("the coordinator ended the watch");
      return env.api->ToStatus(status);
    }
    *env.err << "watch: the stream broke ("
             << (status.ok() ? std::string("ended by the coordinator")
                             : absl::StrCat(absl::StatusCodeToString(
                                                static_cast<absl::StatusCode>(status.error_code())),
                                            ": ", status.error_message()))
             << "); reconnecting in " << absl::FormatDuration(backoff) << "\n";
    if (stop.WaitFor(backoff)) break;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  return absl::OkStatus();
}

}  // namespace

void AddWatchCommands(CLI::App& root, CommandTable& table, std::shared_ptr<StopSignal> stop) {
  auto flags = std::make_shared<WatchFlags>();
  CLI::App* watch = root.add_subcommand(
      "watch", "Print state changes (and with --results every check) live, until Ctrl-C");
  watch->add_option("-l,--selector", flags->selector, "Label selector on the monitors");
  Repeatable(watch->add_option("--monitor", flags->monitors,
                               "Only this monitor id (repeatable; default: all)"));
  watch->add_flag("--results", flags->results, "Also every counted check result (high volume)");
  table.Add(watch, [flags, stop](CommandEnv& env) {
    if (stop != nullptr) return Watch(env, *flags, *stop);
    StopSignal own;
    std::shared_ptr<StopSignal::SignalScope> signals = own.InstallSignalHandlers();
    return Watch(env, *flags, own);
  });
}

}  // namespace uptime::cli
