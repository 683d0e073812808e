// `uptimectl maintenance ...`: the MaintenanceService from a shell.
//
//   uptimectl maintenance add --name deploy --selector team=core
//       --start 2026-11-25T12:00:00Z --end 2026-11-25T13:00:00Z
//   uptimectl maintenance add --name nightly --monitor mon-1
//       --days sat,sun --at 02:30 --duration 2h --time-zone Europe/Berlin
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/views.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

namespace uptime::cli {
namespace {

struct AddFlags {
  std::string name;
  std::string description;
  std::vector<std::string> monitors;
  std::string selector;
  std::string start;
  std::string end;
  std::string duration;
  std::string at;
  std::string days;
  std::string time_zone;
};

// RFC 3339 ("2026-11-25T12:00:00Z", "...+01:00") or "now".
absl::StatusOr<absl::Time> ParseWindowTime(const std::string& flag, const std::string& text,
                                     absl::Time now) {
  if (absl::AsciiStrToLower(text) == "now") return now;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": expected an RFC 3339 time such as 2026-11-25T12:00:00Z (or 'now'), got '", text,
        "'"));
  }
  return t;
}

absl::StatusOr<absl::Duration> ParsePositiveDuration(const std::string& flag,
                                                     const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration() ||
      d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected a positive duration such as 90m or 2h, got '", text, "'"));
  }
  return d;
}

// "daily", or weekdays by (at least three letters of) their English names.
absl::StatusOr<std::vector<v1::Weekday>> ParseDays(const std::string& text) {
  std::vector<v1::Weekday> days;
  if (text.empty() || absl::AsciiStrToLower(text) == "daily") return days;
  static constexpr std::pair<const char*, v1::Weekday> kNames[] = {
      {"monday", v1::WEEKDAY_MONDAY},     {"tuesday", v1::WEEKDAY_TUESDAY},
      {"wednesday", v1::WEEKDAY_WEDNESDAY}, {"thursday", v1::WEEKDAY_THURSDAY},
      {"friday", v1::WEEKDAY_FRIDAY},     {"saturday", v1::WEEKDAY_SATURDAY},
      {"sunday", v1::WEEKDAY_SUNDAY}};
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    const std::string word = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part));
    bool found = false;
    for (const auto& [name, day] : kNames) {
      if (word.size() >= 3 && absl::string_view(name).substr(0, word.size()) == word) {
        days.push_back(day);
        found = true;
        break;
      }
    }
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--days: expected 'daily' or weekdays such as mon,wed,sat, got '", word, "'"));
    }
  }
  return days;
}

// The window the flags describe. Only what a shell user can get wrong in
// the flags themselves is checked here; the server validates the rest and
// names the API field.
absl::StatusOr<v1::MaintenanceWindow> BuildWindow(const AddFlags& f, absl::Time now) {
  v1::MaintenanceWindow w;
  w.set_name(f.name);
  w.set_description(f.description);
  for (const std::string& id : f.monitors) w.add_monitor_ids(id);
  w.set_label_selector(f.selector);
  if (f.monitors.empty() && f.selector.empty()) {
    return absl::InvalidArgumentError("give --monitor ID (repeatable) and/or --selector");
  }
  std::optional<absl::Time> start, end;
  if (!f.start.empty()) {
    ASSIGN_OR_RETURN(start, ParseWindowTime("--start", f.start, now));
  }
  if (!f.end.empty()) {
    ASSIGN_OR_RETURN(end, ParseWindowTime("--end", f.end, now));
  }
  std::optional<absl::Duration> duration;
  if (!f.duration.empty()) {
    ASSIGN_OR_RETURN(duration, ParsePositiveDuration("--duration", f.duration));
  }
  const bool recurring = !f.at.empty() || !f.days.empty() || !f.time_zone.empty();
  if (recurring) {
    if (f.at.empty()) return absl::InvalidArgumentError("--at: required for a recurring window");
    if (!duration) {
      return absl::InvalidArgumentError("--duration: required for a recurring window");
    }
    ASSIGN_OR_RETURN(std::vector<v1::Weekday> days, ParseDays(f.days));
    v1::Recurrence* r = w.mutable_recurrence();
    for (v1::Weekday d : days) r->add_days(d);
    r->set_start_time_of_day(f.at);
    r->mutable_duration()->set_seconds(absl::ToInt64Seconds(*duration));
    r->set_time_zone(f.time_zone);
    // Optional bounds of the recurrence.
    if (start) ToProto(*start, w.mutable_start_time());
    if (end) ToProto(*end, w.mutable_end_time());
    return w;
  }
  if (end && duration) return absl::InvalidArgumentError("--end and --duration: give one");
  if (!end && !duration) {
    return absl::InvalidArgumentError(
        "give --end or --duration (one-off window), or --at and --duration (recurring)");
  }
  const absl::Time from = start.value_or(now);
  ToProto(from, w.mutable_start_time());
  ToProto(end ? *end : from + *duration, w.mutable_end_time());
  return w;
}

absl::Status PrintWindow(CommandEnv& env, const v1::MaintenanceWindow& window) {
  return env.printer->Print(window, [&] {
    google::protobuf::RepeatedPtrField<v1::MaintenanceWindow> one;
    *one.Add() = window;
    return MaintenanceTable(one, env.printer->now());
  });
}

absl::Status Add(CommandEnv& env, const AddFlags& flags) {
  absl::StatusOr<v1::MaintenanceWindow> window = BuildWindow(flags, env.printer->now());
  if (!window.ok()) return UsageError(window.status());
  v1::CreateMaintenanceWindowRequest request;
  *request.mutable_window() = *std::move(window);
  v1::MaintenanceWindow created;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->maintenance().CreateMaintenanceWindow(ctx, request, &created);
  }));
  return PrintWindow(env, created);
}

struct WindowListFlags {
  bool active = false;
  bool all = false;
  int page_size = 0;
  std::string page_token;
};

absl::Status ListWindows(CommandEnv& env, const WindowListFlags& flags) {
  v1::ListMaintenanceWindowsRequest request;
  request.set_active_only(flags.active);
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  v1::ListMaintenanceWindowsResponse merged;
  RETURN_IF_ERROR(env.api->ListPages(
      std::move(request), flags.all,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->maintenance().ListMaintenanceWindows(ctx, req, page);
      },
      &merged));
  return PrintList(env, merged, merged.windows_size(), merged.next_page_token(),
                   "maintenance windows",
                   [&] { return MaintenanceTable(merged.windows(), env.printer->now()); });
}

absl::Status GetWindow(CommandEnv& env, const std::string& id) {
  v1::GetMaintenanceWindowRequest request;
  request.set_id(id);
  v1::MaintenanceWindow window;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->maintenance().GetMaintenanceWindow(ctx, request, &window);
  }));
  return PrintWindow(env, window);
}

// Like `monitors rm`: NOT_FOUND on one id does not stop the others (see DeleteEach).
absl::Status RemoveWindows(CommandEnv& env, const std::vector<std::string>& ids) {
  return DeleteEach(env, ids, [&](const std::string& id) {
    v1::DeleteMaintenanceWindowRequest request;
    request.set_id(id);
    google::protobuf::Empty empty;
    return env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->maintenance().DeleteMaintenanceWindow(ctx, request, &empty);
    });
  });
}

}  // namespace

void AddMaintenanceCommands(CLI::App& root, CommandTable& table) {
  CLI::App* group = root.add_subcommand(
      "maintenance", "Plan maintenance windows: monitors are checked but do not alert");
  group->alias("mw");
  group->require_subcommand(1);

  auto f = std::make_shared<AddFlags>();
  CLI::App* add = group->add_subcommand(
      "add", "Create a one-off (--start/--end or --duration) or recurring (--at, --duration) "
             "window; prints it with its id");
  add->add_option("--name", f->name, "Window name")->required();
  add->add_option("--description", f->description, "Free text for people");
  const std::string covers = "Monitors covered (at least one of)";
  Repeatable(add->add_option("--monitor", f->monitors, "Monitor id (repeatable)"))->group(covers);
  add->add_option("-l,--selector", f->selector, "Label selector, e.g. 'team=core,!canary'")
      ->group(covers);
  const std::string when = "When";
  add->add_option("--start", f->start,
                  "RFC 3339 time or 'now' (one-off: default now; recurring: optional bound)")
      ->group(when);
  add->add_option("--end", f->end, "RFC 3339 time (one-off end; recurring: optional bound)")
      ->group(when);
  add->add_option("--duration", f->duration, "Length, e.g. 90m (one-off instead of --end)")
      ->group(when);
  add->add_option("--at", f->at, "Recurring: local start time HH:MM")->group(when);
  add->add_option("--days", f->days, "Recurring: 'daily' (default) or e.g. mon,wed,sat")
      ->group(when);
  add->add_option("--time-zone", f->time_zone, "Recurring: IANA zone (default UTC)")->group(when);
  table.Add(add, [f](CommandEnv& env) { return Add(env, *f); });

  auto list_flags = std::make_shared<WindowListFlags>();
  CLI::App* list = group->add_subcommand("list", "List maintenance windows, ordered by id");
  list->alias("ls");
  list->add_flag("--active", list_flags->active, "Only windows in effect now");
  list->add_flag("--all", list_flags->all, "Fetch every page, not just the first");
  list->add_option("--page-size", list_flags->page_size, "Windows per page (server default 100)");
  list->add_option("--page-token", list_flags->page_token, "Continue from this page token");
  table.Add(list, [list_flags](CommandEnv& env) { return ListWindows(env, *list_flags); });

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = group->add_subcommand("get", "Show one window (use -o yaml for all fields)");
  get->add_option("id", *get_id, "Window id")->required();
  table.Add(get, [get_id](CommandEnv& env) { return GetWindow(env, *get_id); });

  auto rm_ids = std::make_shared<std::vector<std::string>>();
  CLI::App* rm = group->add_subcommand("rm", "Delete windows (their monitors leave maintenance now)");
  rm->alias("delete");
  rm->add_option("ids", *rm_ids, "Window ids")->required();
  table.Add(rm, [rm_ids](CommandEnv& env) { return RemoveWindows(env, *rm_ids); });
}

}  // namespace uptime::cli
