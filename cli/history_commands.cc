#include "cli/history_commands.h"

#include <algorithm>
#include <memory>
#include <set>
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

// The server's largest page.
constexpr int kMaxPageSize = 1000;

// The windows GetUptime answers for, in its order.
const std::vector<std::string>& UptimeWindows() {
  static const auto* windows = new std::vector<std::string>{"24h", "7d", "30d", "90d"};
  return *windows;
}

absl::Time ToAbslTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  ts.set_seconds(nanos / 1'000'000'000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  return ts;
}

// Absolute UTC times: history is compared with logs and graphs.
std::string UtcTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone());
}

// "1h" (that long before now) or an RFC 3339 time; INVALID_ARGUMENT naming
// `flag` otherwise.
absl::StatusOr<absl::Time> ParsePastTime(const std::string& flag, const std::string& text,
                                     absl::Time now) {
  absl::Duration ago;
  if (absl::ParseDuration(text, &ago) && ago >= absl::ZeroDuration() &&
      ago != absl::InfiniteDuration()) {
    return now - ago;
  }
  absl::Time when;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &when, &error)) return when;
  return absl::InvalidArgumentError(absl::StrCat(
      flag, ": expected a duration before now such as 1h, or a time such as "
            "2026-11-25T12:00:00Z, got '",
      text, "'"));
}

absl::Status CheckLimit(int limit) {
  if (limit >= 1) return absl::OkStatus();
  return UsageError(
      absl::InvalidArgumentError(absl::StrCat("--limit: expected at least 1, got ", limit)));
}

// Up to `limit` items from as many pages as that takes, into `merged`
// (whose `items` field they are); merged keeps the token of what is left.
template <typename Request, typename Response, typename Rpc, typename Items>
absl::Status ListUpTo(const Api& api, Request request, int limit, Rpc rpc, Items items,
                      Response* merged) {
  while (true) {
    request.set_page_size(std::min(kMaxPageSize, limit - items(*merged)->size()));
    Response page;
    RETURN_IF_ERROR(api.Call([&](grpc::ClientContext* ctx) { return rpc(ctx, request, &page); }));
    const std::string next = page.next_page_token();
    merged->MergeFrom(page);
    merged->set_next_page_token(next);
    // A server repeating a token would loop forever: that is the end too.
    if (next.empty() || next == request.page_token() || items(*merged)->size() >= limit) break;
    request.set_page_token(next);
  }
  // A server ignoring page_size must not make --limit a lie.
  auto* list = items(*merged);
  if (list->size() > limit) list->DeleteSubrange(limit, list->size() - limit);
  return absl::OkStatus();
}

// The end of a --limit list: `merged` (holding `items` items) as JSON or
// YAML, or the table; for people an empty table is `empty_note` on env.err
// instead, and a list cut short by --limit is followed there by a hint.
absl::Status PrintLimited(CommandEnv& env, const google::protobuf::Message& merged, int items,
                          const std::string& next_page_token, absl::string_view noun,
                          absl::string_view empty_note, absl::FunctionRef<Table()> make_table) {
  const bool table = env.printer->format() == OutputFormat::kTable;
  if (table && items == 0) {
    *env.err << empty_note << "\n";
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(env.printer->Print(merged, make_table));
  if (table && !next_page_token.empty()) *env.err << "more " << noun << " exist: raise --limit\n";
  return absl::OkStatus();
}

// --- results -------------------------------------------------------------

struct ResultsFlags {
  std::string monitor;
  std::string since;
  std::string until;
  bool failures = false;
  int limit = 50;
};

std::string ResultStatus(const v1::CheckResult& r) {
  if (r.http_status() != 0) return absl::StrCat("HTTP ", r.http_status());
  return "-";
}

std::string ResultError(const v1::CheckResult& r) {
  if (r.success()) return "-";
  absl::string_view kind = v1::ErrorKind_Name(r.error_kind());
  absl::ConsumePrefix(&kind, "ERROR_KIND_");
  const std::string lower = absl::AsciiStrToLower(kind);
  return r.error_message().empty() ? lower : absl::StrCat(lower, ": ", r.error_message());
}

std::string Phase(int64_t micros) { return micros > 0 ? FormatLatency(micros) : "-"; }

Table ResultsTable(const v1::ListResultsResponse& response, bool wide) {
  std::vector<std::string> headers = {"TIME (UTC)", "LOCATION", "RESULT", "LATENCY", "STATUS"};
  if (wide) {
    headers.insert(headers.end(), {"AGENT", "EPOCH", "DNS", "CONNECT", "TLS", "FIRST BYTE"});
  }
  headers.push_back("ERROR");
  Table table(std::move(headers));
  for (const v1::CheckResult& r : response.results()) {
    std::vector<std::string> row = {UtcTime(absl::FromUnixMicros(r.start_time_us())),
                                    r.location().empty() ? "-" : r.location(),
                                    r.success() ? "ok" : "FAIL", FormatLatency(r.latency_us()),
                                    ResultStatus(r)};
    if (wide) {
      row.insert(row.end(), {r.agent_id().empty() ? "-" : r.agent_id(), absl::StrCat(r.epoch()),
                             Phase(r.dns_us()), Phase(r.connect_us()), Phase(r.tls_us()),
                             Phase(r.first_byte_us())});
    }
    row.push_back(ResultError(r));
    table.AddRow(std::move(row));
  }
  return table;
}

absl::Status Results(CommandEnv& env, const ResultsFlags& flags) {
  RETURN_IF_ERROR(CheckLimit(flags.limit));
  v1::ListResultsRequest request;
  request.set_monitor_id(flags.monitor);
  request.set_failures_only(flags.failures);
  const absl::Time now = env.printer->now();
  if (!flags.since.empty()) {
    absl::StatusOr<absl::Time> since = ParsePastTime("--since", flags.since, now);
    if (!since.ok()) return UsageError(since.status());
    *request.mutable_start_time() = ToTimestamp(*since);
  }
  if (!flags.until.empty()) {
    absl::StatusOr<absl::Time> until = ParsePastTime("--until", flags.until, now);
    if (!until.ok()) return UsageError(until.status());
    *request.mutable_end_time() = ToTimestamp(*until);
  }
  if (request.has_start_time() && request.has_end_time() &&
      ToAbslTime(request.end_time()) <= ToAbslTime(request.start_time())) {
    return UsageError(absl::InvalidArgumentError("--until: must be later than --since"));
  }
  v1::ListResultsResponse merged;
  RETURN_IF_ERROR(ListUpTo(
      *env.api, std::move(request), flags.limit,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->statuses().ListResults(ctx, req, page);
      },
      [](v1::ListResultsResponse& r) { return r.mutable_results(); }, &merged));
  return PrintLimited(env, merged, merged.results_size(), merged.next_page_token(), "results",
                      "no results found",
                      [&] { return ResultsTable(merged, env.printer->wide()); });
}

// --- uptime --------------------------------------------------------------

struct UptimeFlags {
  std::string monitor;
  std::vector<std::string> windows;
  int days = 0;
};

std::string Percent(double percent) { return absl::StrFormat("%.3f%%", percent); }

std::string Millis(double ms) {
  return ms > 0 ? FormatLatency(static_cast<int64_t>(ms * 1000)) : "-";
}

Table UptimeTable(const v1::GetUptimeResponse& response, bool wide) {
  std::vector<std::string> headers = {"WINDOW", "UPTIME", "CHECKS", "FAILURES", "MEAN LATENCY"};
  if (wide) headers.push_back("P95 LATENCY");
  Table table(std::move(headers));
  for (const v1::UptimeWindow& w : response.windows()) {
    std::vector<std::string> row = {w.window(), Percent(w.uptime_percent()),
                                    absl::StrCat(w.checks()), absl::StrCat(w.failures()),
                                    Millis(w.mean_latency_ms())};
    if (wide) row.push_back(Millis(w.p95_latency_ms()));
    table.AddRow(std::move(row));
  }
  return table;
}

Table DailyBarsTable(const v1::GetUptimeResponse& response) {
  Table table({"DAY (UTC)", "UPTIME", "CHECKS", "FAILURES"});
  for (const v1::DailyBar& bar : response.daily_bars()) {
    table.AddRow({absl::FormatTime("%Y-%m-%d", ToAbslTime(bar.day()), absl::UTCTimeZone()),
                  bar.checks() == 0 ? "-" : Percent(bar.uptime_percent()),
                  absl::StrCat(bar.checks()), absl::StrCat(bar.failures())});
  }
  return table;
}

absl::Status Uptime(CommandEnv& env, const UptimeFlags& flags) {
  // CLI11 checked the names (IsMember, which completion offers too).
  const std::set<std::string> wanted(flags.windows.begin(), flags.windows.end());
  if (flags.days < 0 || flags.days > 90) {
    return UsageError(absl::InvalidArgumentError(
        absl::StrCat("--days: expected 0..90, got ", flags.days)));
  }
  v1::GetUptimeRequest request;
  request.set_monitor_id(flags.monitor);
  v1::GetUptimeResponse response;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->statuses().GetUptime(ctx, request, &response);
  }));
  if (!wanted.empty()) {
    auto* windows = response.mutable_windows();
    windows->erase(std::remove_if(windows->begin(), windows->end(),
                                  [&](const v1::UptimeWindow& w) {
                                    return wanted.count(w.window()) == 0;
                                  }),
                   windows->end());
  }
  // The daily bars are long (90 days): only the newest --days of them.
  auto* bars = response.mutable_daily_bars();
  if (bars->size() > flags.days) bars->DeleteSubrange(0, bars->size() - flags.days);
  RETURN_IF_ERROR(
      env.printer->Print(response, [&] { return UptimeTable(response, env.printer->wide()); }));
  if (env.printer->format() == OutputFormat::kTable && !response.daily_bars().empty()) {
    env.printer->out() << "\n";
    DailyBarsTable(response).Print(env.printer->out());
  }
  return absl::OkStatus();
}

// --- incidents -----------------------------------------------------------

struct IncidentsFlags {
  std::string monitor;
  bool open = false;
  int limit = 50;
};

Table IncidentsTable(const v1::ListIncidentsResponse& response, absl::Time now, bool wide) {
  std::vector<std::string> headers = {"ID", "MONITOR", "STARTED (UTC)", "RESOLVED", "DURATION"};
  if (wide) headers.push_back("ALERTS");
  headers.push_back("CAUSE");
  Table table(std::move(headers));
  for (const v1::Incident& i : response.incidents()) {
    const absl::Time started = ToAbslTime(i.started());
    const bool open = !i.has_resolved();
    const absl::Time end = open ? now : ToAbslTime(i.resolved());
    std::vector<std::string> row = {i.id(), i.monitor_id(), UtcTime(started),
                                    open ? "open" : UtcTime(end), HumanAge(end - started)};
    if (wide) row.push_back(absl::StrCat(i.alerts_sent()));
    row.push_back(i.cause().empty() ? "-" : i.cause());
    table.AddRow(std::move(row));
  }
  return table;
}

absl::Status Incidents(CommandEnv& env, const IncidentsFlags& flags) {
  RETURN_IF_ERROR(CheckLimit(flags.limit));
  v1::ListIncidentsRequest request;
  request.set_monitor_id(flags.monitor);
  request.set_open_only(flags.open);
  v1::ListIncidentsResponse merged;
  RETURN_IF_ERROR(ListUpTo(
      *env.api, std::move(request), flags.limit,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->statuses().ListIncidents(ctx, req, page);
      },
      [](v1::ListIncidentsResponse& r) { return r.mutable_incidents(); }, &merged));
  return PrintLimited(
      env, merged, merged.incidents_size(), merged.next_page_token(), "incidents",
      flags.open ? "no open incidents" : "no incidents found",
      [&] { return IncidentsTable(merged, env.printer->now(), env.printer->wide()); });
}

}  // namespace

void AddHistoryCommands(CLI::App& root, CommandTable& table) {
  auto results_flags = std::make_shared<ResultsFlags>();
  CLI::App* results =
      root.add_subcommand("results", "Recent check results of one monitor, newest first");
  results->add_option("monitor", results_flags->monitor, "Monitor id")->required();
  results->add_option("--since", results_flags->since,
                      "Only results from then on: a duration before now (1h) or an RFC 3339 time");
  results->add_option("--until", results_flags->until,
                      "Only results before then: a duration before now or an RFC 3339 time");
  results->add_flag("--failures", results_flags->failures, "Only failed checks");
  results->add_option("--limit", results_flags->limit, "At most this many results")
      ->capture_default_str();
  table.Add(results, [results_flags](CommandEnv& env) { return Results(env, *results_flags); });

  auto uptime_flags = std::make_shared<UptimeFlags>();
  CLI::App* uptime = root.add_subcommand(
      "uptime", "Uptime percentage and latency of one monitor over 24h, 7d, 30d and 90d");
  uptime->add_option("monitor", uptime_flags->monitor, "Monitor id")->required();
  Repeatable(uptime->add_option("--window", uptime_flags->windows,
                                "Only this window: 24h, 7d, 30d or 90d (repeatable)"))
      ->check(CLI::IsMember(UptimeWindows()));
  uptime->add_option("--days", uptime_flags->days,
                     "Also the daily bars of the last N days, 0..90 (-o json|yaml: those only)")
      ->capture_default_str();
  table.Add(uptime, [uptime_flags](CommandEnv& env) { return Uptime(env, *uptime_flags); });

  auto incidents_flags = std::make_shared<IncidentsFlags>();
  CLI::App* incidents = root.add_subcommand(
      "incidents", "Incidents (DOWN periods) of all monitors or of one, newest first");
  incidents->add_option("monitor", incidents_flags->monitor, "Monitor id (default: all)");
  incidents->add_flag("--open", incidents_flags->open, "Only incidents still open");
  incidents->add_option("--limit", incidents_flags->limit, "At most this many incidents")
      ->capture_default_str();
  table.Add(incidents,
            [incidents_flags](CommandEnv& env) { return Incidents(env, *incidents_flags); });
}

}  // namespace uptime::cli
