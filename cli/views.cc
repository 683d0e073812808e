#include "cli/views.h"

#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace uptime::cli {
namespace {

// Long error texts would push every other column off the screen; JSON output
// carries the full message.
constexpr size_t kMaxErrorWidth = 60;

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool IsSet(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

std::string StripEnumPrefix(const std::string& name, absl::string_view prefix) {
  return std::string(absl::StripPrefix(name, prefix));
}

std::string LastError(const v1::MonitorStatus& status) {
  if (!status.has_last_result() || status.last_result().success()) return "-";
  const v1::CheckResult& result = status.last_result();
  std::string kind = absl::AsciiStrToLower(
      StripEnumPrefix(v1::ErrorKind_Name(result.error_kind()), "ERROR_KIND_"));
  std::string text = absl::StrReplaceAll(result.error_message(), {{"\n", " "}, {"\r", " "}});
  text = text.empty() ? kind : absl::StrCat(kind, ": ", text);
  if (text.size() > kMaxErrorWidth) text = absl::StrCat(text.substr(0, kMaxErrorWidth - 3), "...");
  return text;
}

}  // namespace

std::string CheckTypeName(const v1::Monitor& m) {
  switch (m.spec_case()) {
    case v1::Monitor::kHttp: return "http";
    case v1::Monitor::kTcp: return "tcp";
    case v1::Monitor::kDns: return "dns";
    case v1::Monitor::kGrpc: return "grpc";
    case v1::Monitor::kIcmp: return "icmp";
    case v1::Monitor::SPEC_NOT_SET: break;
  }
  return "-";
}

std::string CheckTarget(const v1::Monitor& m) {
  switch (m.spec_case()) {
    case v1::Monitor::kHttp:
      if (m.http().method().empty() || absl::EqualsIgnoreCase(m.http().method(), "GET")) {
        return m.http().url();
      }
      return absl::StrCat(m.http().method(), " ", m.http().url());
    case v1::Monitor::kTcp:
      // Bracket IPv6 literals so the port stays readable.
      if (absl::StrContains(m.tcp().host(), ':')) {
        return absl::StrCat("[", m.tcp().host(), "]:", m.tcp().port());
      }
      return absl::StrCat(m.tcp().host(), ":", m.tcp().port());
    case v1::Monitor::kDns: {
      v1::DnsRecordType type = m.dns().record_type();
      if (type == v1::DNS_RECORD_TYPE_UNSPECIFIED) type = v1::DNS_RECORD_TYPE_A;
      return absl::StrCat(m.dns().name(), " ",
                          StripEnumPrefix(v1::DnsRecordType_Name(type), "DNS_RECORD_TYPE_"));
    }
    case v1::Monitor::kGrpc:
      if (m.grpc().service().empty()) return m.grpc().target();
      return absl::StrCat(m.grpc().target(), " ", m.grpc().service());
    case v1::Monitor::kIcmp:
      return m.icmp().host();
    case v1::Monitor::SPEC_NOT_SET:
      break;
  }
  return "-";
}

std::string FormatDuration(const google::protobuf::Duration& d) {
  if (d.seconds() == 0 && d.nanos() == 0) return "-";
  return absl::FormatDuration(absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos()));
}

std::string HumanAge(absl::Duration age) {
  const int64_t s = age < absl::ZeroDuration() ? 0 : absl::ToInt64Seconds(age);
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m");
  if (s < 86400) return absl::StrCat(s / 3600, "h", (s % 3600) / 60, "m");
  return absl::StrCat(s / 86400, "d", (s % 86400) / 3600, "h");
}

std::string Ago(const google::protobuf::Timestamp& time, absl::Time now) {
  if (!IsSet(time)) return "-";
  return absl::StrCat(HumanAge(now - ToTime(time)), " ago");
}

std::string FormatLatency(int64_t us) {
  if (us < 1000) return absl::StrCat(us, "us");
  if (us < 10'000) return absl::StrFormat("%.1fms", static_cast<double>(us) / 1000);
  if (us < 1'000'000) return absl::StrCat(us / 1000, "ms");
  return absl::StrFormat("%.1fs", static_cast<double>(us) / 1'000'000);
}

std::string FormatLabels(const google::protobuf::Map<std::string, std::string>& labels) {
  if (labels.empty()) return "-";
  // protobuf maps iterate in no particular order; sort for stable output.
  const std::map<std::string, std::string> sorted(labels.begin(), labels.end());
  return absl::StrJoin(sorted, ",", absl::PairFormatter("="));
}

std::string StateName(v1::State state) {
  if (state == v1::STATE_UNSPECIFIED) return "-";
  return StripEnumPrefix(v1::State_Name(state), "STATE_");
}

Table MonitorsTable(const google::protobuf::RepeatedPtrField<v1::Monitor>& monitors) {
  Table table({"ID", "NAME", "TYPE", "TARGET", "INTERVAL", "LABELS", "PAUSED"});
  for (const v1::Monitor& m : monitors) {
    table.AddRow({m.id(), m.name(), CheckTypeName(m), CheckTarget(m), FormatDuration(m.interval()),
                  FormatLabels(m.labels()), m.paused() ? "yes" : "no"});
  }
  return table;
}

Table StatusesTable(const google::protobuf::RepeatedPtrField<v1::MonitorStatus>& statuses,
                    absl::Time now) {
  Table table({"ID", "NAME", "STATE", "SINCE", "LATENCY", "LAST ERROR"});
  for (const v1::MonitorStatus& s : statuses) {
    const std::string latency =
        s.has_last_result() ? FormatLatency(s.last_result().latency_us()) : "-";
    table.AddRow({s.monitor_id(), s.monitor_name(), StateName(s.state()), Ago(s.since(), now),
                  latency, LastError(s)});
  }
  return table;
}

Table AgentsTable(const google::protobuf::RepeatedPtrField<v1::AgentInfo>& agents,
                  absl::Time now) {
  Table table({"ID", "LABELS", "VERSION", "MONITORS", "CAPACITY", "CHECKS/S", "IN-FLIGHT",
               "CONNECTED", "HEARTBEAT", "DRAINING"});
  for (const v1::AgentInfo& a : agents) {
    table.AddRow({a.agent_id(), FormatLabels(a.labels()), a.version().empty() ? "-" : a.version(),
                  absl::StrCat(a.monitors_assigned()), absl::StrCat(a.capacity()),
                  absl::StrFormat("%.1f", a.checks_per_second()), absl::StrCat(a.in_flight()),
                  Ago(a.connected_since(), now), Ago(a.last_heartbeat(), now),
                  a.draining() ? "yes" : "no"});
  }
  return table;
}

Table ClusterTable(const v1::ClusterInfo& info, absl::Time now) {
  Table table({});
  const auto or_dash = [](const std::string& s) { return s.empty() ? "-" : s; };
  table.AddRow({"Coordinator:", or_dash(info.coordinator_id())});
  table.AddRow({"Leader:", info.is_leader() ? "yes" : "no"});
  table.AddRow({"Version:", or_dash(info.version())});
  table.AddRow({"Started:", Ago(info.started(), now)});
  table.AddRow({"Agents:", absl::StrCat(info.agents())});
  table.AddRow({"Monitors:", absl::StrCat(info.monitors())});
  table.AddRow({"  up:", absl::StrCat(info.monitors_up())});
  table.AddRow({"  down:", absl::StrCat(info.monitors_down())});
  table.AddRow({"  pending:", absl::StrCat(info.monitors_pending())});
  table.AddRow({"  paused:", absl::StrCat(info.monitors_paused())});
  table.AddRow({"  maintenance:", absl::StrCat(info.monitors_maintenance())});
  return table;
}

std::string MaintenanceSchedule(const v1::MaintenanceWindow& w) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const auto minute = [&](const google::protobuf::Timestamp& t) {
    return absl::FormatTime("%Y-%m-%d %H:%M", ToTime(t), utc);
  };
  if (!w.has_recurrence()) {
    const std::string start = minute(w.start_time());
    std::string end = minute(w.end_time());
    // Same day: the date once is enough.
    if (end.substr(0, 10) == start.substr(0, 10)) end = end.substr(11);
    return absl::StrCat(start, " - ", end, " UTC");
  }
  const v1::Recurrence& r = w.recurrence();
  std::string days;
  for (int d : r.days()) {
    std::string name = absl::AsciiStrToLower(
        StripEnumPrefix(v1::Weekday_Name(static_cast<v1::Weekday>(d)), "WEEKDAY_"));
    absl::StrAppend(&days, days.empty() ? "" : ",", name.substr(0, 3));
  }
  std::string out = absl::StrCat(days.empty() ? "daily" : days, " ", r.start_time_of_day(), " ",
                                 r.time_zone().empty() ? "UTC" : r.time_zone(), " for ",
                                 FormatDuration(r.duration()));
  if (IsSet(w.start_time())) absl::StrAppend(&out, ", from ", minute(w.start_time()), " UTC");
  if (IsSet(w.end_time())) absl::StrAppend(&out, ", until ", minute(w.end_time()), " UTC");
  return out;
}

Table MaintenanceTable(const google::protobuf::RepeatedPtrField<v1::MaintenanceWindow>& windows,
                       absl::Time now) {
  Table table({"ID", "NAME", "COVERS", "SCHEDULE", "ACTIVE", "NEXT"});
  for (const v1::MaintenanceWindow& w : windows) {
    std::vector<std::string> covers;
    if (w.monitor_ids_size() == 1) covers.push_back(w.monitor_ids(0));
    if (w.monitor_ids_size() > 1) covers.push_back(absl::StrCat(w.monitor_ids_size(), " monitors"));
    if (!w.label_selector().empty()) covers.push_back(w.label_selector());
    std::string next = "-";  // over: never in effect again
    if (w.has_next_occurrence()) {
      next = w.active()
                 ? absl::StrCat("ends in ", HumanAge(ToTime(w.next_occurrence().end_time()) - now))
                 : absl::StrCat("in ", HumanAge(ToTime(w.next_occurrence().start_time()) - now));
    }
    table.AddRow({w.id(), w.name(), covers.empty() ? "-" : absl::StrJoin(covers, " + "),
                  MaintenanceSchedule(w), w.active() ? "yes" : "no", next});
  }
  return table;
}

Table ChannelsTable(const google::protobuf::RepeatedPtrField<v1::Channel>& channels,
                    absl::Time now) {
  Table table({"ID", "NAME", "TYPE", "CONFIG", "UPDATED"});
  for (const v1::Channel& c : channels) {
    const google::protobuf::Timestamp& updated =
        c.has_update_time() ? c.update_time() : c.create_time();
    table.AddRow({c.id(), c.name(), c.type(), FormatLabels(c.config()), Ago(updated, now)});
  }
  return table;
}

Table StatusPagesTable(const google::protobuf::RepeatedPtrField<v1::StatusPage>& pages,
                       absl::Time now) {
  Table table({"SLUG", "TITLE", "GROUPS", "MONITORS", "URL", "UPDATED"});
  for (const v1::StatusPage& p : pages) {
    int monitors = 0;
    for (const v1::StatusPageGroup& g : p.groups()) monitors += g.resolved_monitor_ids_size();
    table.AddRow({p.slug(), p.title(), absl::StrCat(p.groups_size()), absl::StrCat(monitors),
                  absl::StrCat("/status/", p.slug()), Ago(p.update_time(), now)});
  }
  return table;
}

Table StatusPageGroupsTable(const v1::StatusPage& page) {
  // A few ids fit a column; hundreds would hide the other columns.
  constexpr int kMaxListedIds = 3;
  Table table({"GROUP", "MONITORS", "SELECTOR", "SHOWS"});
  for (const v1::StatusPageGroup& g : page.groups()) {
    std::string ids = "-";
    if (g.monitor_ids_size() > kMaxListedIds) {
      ids = absl::StrCat(g.monitor_ids_size(), " monitors");
    } else if (g.monitor_ids_size() > 0) {
      ids = absl::StrJoin(g.monitor_ids(), ",");
    }
    table.AddRow({g.name(), ids, g.label_selector().empty() ? "-" : g.label_selector(),
                  absl::StrCat(g.resolved_monitor_ids_size())});
  }
  return table;
}

std::string RoleName(v1::Role role) {
  if (role == v1::ROLE_UNSPECIFIED) return "-";
  return absl::AsciiStrToLower(StripEnumPrefix(v1::Role_Name(role), "ROLE_"));
}

std::string ExpiresIn(const google::protobuf::Timestamp& time, absl::Time now,
                      const std::string& unset) {
  if (!IsSet(time)) return unset;
  const absl::Time at = ToTime(time);
  if (at <= now) return absl::StrCat("expired ", HumanAge(now - at), " ago");
  return absl::StrCat("in ", HumanAge(at - now));
}

Table CallerTable(const v1::Caller& caller, absl::Time now) {
  Table table({});
  std::string kind = "-";
  switch (caller.kind()) {
    case v1::CREDENTIAL_KIND_STATIC_TOKEN: kind = "static token"; break;
    case v1::CREDENTIAL_KIND_API_KEY: kind = absl::StrCat("API key ", caller.api_key_id()); break;
    case v1::CREDENTIAL_KIND_SESSION: kind = "session"; break;
    default: break;
  }
  table.AddRow({"Name:", caller.name().empty() ? "-" : caller.name()});
  table.AddRow({"Role:", RoleName(caller.role())});
  table.AddRow({"Credential:", kind});
  if (!caller.user_id().empty()) table.AddRow({"User id:", caller.user_id()});
  // Static tokens and API keys carry no expiry in the Caller.
  if (caller.kind() == v1::CREDENTIAL_KIND_SESSION) {
    table.AddRow({"Expires:", ExpiresIn(caller.expire_time(), now, "-")});
    table.AddRow({"Idle expiry:", ExpiresIn(caller.idle_expire_time(), now, "-")});
  }
  if (caller.must_change_password()) {
    table.AddRow({"Password:", "must be changed (uptimectl users passwd)"});
  }
  return table;
}

Table UsersTable(const google::protobuf::RepeatedPtrField<v1::User>& users, absl::Time now) {
  Table table({"ID", "USERNAME", "DISPLAY NAME", "ROLE", "STATUS", "LAST LOGIN", "CREATED"});
  for (const v1::User& u : users) {
    table.AddRow({u.id(), u.username(), u.display_name().empty() ? "-" : u.display_name(),
                  RoleName(u.role()), u.disabled() ? "disabled" : "active",
                  Ago(u.last_login_time(), now), Ago(u.create_time(), now)});
  }
  return table;
}

Table ApiKeysTable(const google::protobuf::RepeatedPtrField<v1::ApiKey>& keys, absl::Time now) {
  Table table({"ID", "NAME", "OWNER", "ROLE", "PREFIX", "EXPIRES", "LAST USED", "CREATED"});
  for (const v1::ApiKey& k : keys) {
    table.AddRow({k.id(), k.name(), k.username().empty() ? k.user_id() : k.username(),
                  RoleName(k.role()), k.prefix().empty() ? "-" : k.prefix(),
                  ExpiresIn(k.expire_time(), now, "never"), Ago(k.last_used_time(), now),
                  Ago(k.create_time(), now)});
  }
  return table;
}

Table AuditEventsTable(const google::protobuf::RepeatedPtrField<v1::AuditEvent>& events) {
  Table table({"TIME (UTC)", "ACTOR", "ACTION", "RESOURCE"});
  for (const v1::AuditEvent& e : events) {
    std::string resource = absl::StrCat(e.resource_type(), " ", e.resource_id());
    resource = std::string(absl::StripAsciiWhitespace(resource));
    table.AddRow({absl::FormatTime("%Y-%m-%d %H:%M:%S", ToTime(e.time()), absl::UTCTimeZone()),
                  e.actor().empty() ? "-" : e.actor(), e.action(),
                  resource.empty() ? "-" : resource});
  }
  return table;
}

}  // namespace uptime::cli
