#include "coordinator/notifiers/alert.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace uptime::notifiers {

absl::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kDown:
      return "down";
    case AlertKind::kRecovered:
      return "recovered";
    case AlertKind::kStillDown:
      return "still_down";
    case AlertKind::kTlsExpiring:
      return "tls_expiring";
    case AlertKind::kTest:
      return "test";
  }
  return "unknown";
}

std::string DedupKey(const Alert& alert) {
  if (!alert.dedup_key.empty()) return alert.dedup_key;
  if (!alert.incident_id.empty()) return alert.incident_id;
  return absl::StrCat("monitor:", alert.monitor.id);
}

namespace {

// Monitor ids are server-assigned and URL-safe today; escaping anyway keeps a
// future id format from producing a broken or misleading link.
std::string EscapePathSegment(absl::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                            c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string DashboardLink(const Alert& alert) {
  if (alert.dashboard_base_url.empty()) return "";
  absl::string_view base = alert.dashboard_base_url;
  absl::ConsumeSuffix(&base, "/");
  if (!alert.group.empty() || alert.monitor.id.empty()) return std::string(base);
  return absl::StrCat(base, "/monitors/", EscapePathSegment(alert.monitor.id));
}

std::string DisplayName(const AlertMonitor& monitor) {
  if (!monitor.name.empty()) return monitor.name;
  if (!monitor.target.empty()) return monitor.target;
  return monitor.id;
}

std::string AlertHeadline(const Alert& alert) {
  if (!alert.group.empty()) {
    const size_t n = alert.group.size();
    switch (alert.kind) {
      case AlertKind::kRecovered:
        return absl::StrCat(n, " monitors recovered");
      case AlertKind::kStillDown:
        return absl::StrCat(n, " monitors are still DOWN");
      case AlertKind::kTlsExpiring:
        return absl::StrCat(n, " monitors: TLS certificates expiring");
      default:
        return absl::StrCat(n, " monitors are DOWN");
    }
  }
  const std::string name = DisplayName(alert.monitor);
  switch (alert.kind) {
    case AlertKind::kDown:
      return absl::StrCat(name, " is DOWN");
    case AlertKind::kRecovered:
      return absl::StrCat(name, " is UP");
    case AlertKind::kStillDown:
      return absl::StrCat(name, " is still DOWN");
    case AlertKind::kTlsExpiring: {
      const absl::Duration left = alert.tls_expiry - alert.since;
      if (alert.tls_expiry == absl::InfinitePast() || alert.since == absl::InfinitePast()) {
        return absl::StrCat(name, ": TLS certificate expiring");
      }
      if (left <= absl::ZeroDuration()) return absl::StrCat(name, ": TLS certificate expired");
      return absl::StrCat(name, ": TLS certificate expires in ", HumanDuration(left));
    }
    case AlertKind::kTest:
      return "Test message from Uptime Monitor";
  }
  return name;
}

absl::string_view StateName(v1::State state) {
  switch (state) {
    case v1::STATE_PENDING:
      return "PENDING";
    case v1::STATE_UP:
      return "UP";
    case v1::STATE_DOWN:
      return "DOWN";
    case v1::STATE_PAUSED:
      return "PAUSED";
    case v1::STATE_MAINTENANCE:
      return "MAINTENANCE";
    default:
      return "UNKNOWN";
  }
}

std::string HumanDuration(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return "0s";
  if (d < absl::Seconds(1)) return "<1s";
  int64_t total = absl::ToInt64Seconds(d);
  struct Unit {
    int64_t seconds;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  std::string out;
  int shown = 0;
  for (const Unit& unit : kUnits) {
    const int64_t n = total / unit.seconds;
    total %= unit.seconds;
    if (n == 0) {
      // A zero unit after the first one ends the text: "2h" not "2h 0m".
      if (shown > 0) break;
      continue;
    }
    absl::StrAppend(&out, shown > 0 ? " " : "", n, unit.suffix);
    if (++shown == 2) break;
  }
  return out;
}

std::string FormatUtc(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return "unknown";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string MonitorTarget(const v1::Monitor& monitor) {
  switch (monitor.spec_case()) {
    case v1::Monitor::kHttp:
      return monitor.http().url();
    case v1::Monitor::kTcp:
      return absl::StrCat(monitor.tcp().host(), ":", monitor.tcp().port());
    case v1::Monitor::kDns: {
      const v1::DnsRecordType type = monitor.dns().record_type();
      if (type == v1::DNS_RECORD_TYPE_UNSPECIFIED || type == v1::DNS_RECORD_TYPE_A) {
        return monitor.dns().name();
      }
      absl::string_view type_name = v1::DnsRecordType_Name(type);
      absl::ConsumePrefix(&type_name, "DNS_RECORD_TYPE_");
      return absl::StrCat(monitor.dns().name(), " ", type_name);
    }
    case v1::Monitor::kGrpc:
      return monitor.grpc().target();
    case v1::Monitor::kIcmp:
      return monitor.icmp().host();
    default:
      return "";
  }
}

AlertMonitor AlertMonitorFromProto(const v1::Monitor& monitor) {
  AlertMonitor out;
  out.id = monitor.id();
  out.name = monitor.name();
  out.target = MonitorTarget(monitor);
  out.labels.insert(monitor.labels().begin(), monitor.labels().end());
  return out;
}

Alert MakeTestAlert(absl::Time now, std::string dashboard_base_url) {
  Alert alert;
  alert.kind = AlertKind::kTest;
  alert.monitor.name = "Uptime Monitor test";
  alert.new_state = v1::STATE_UNSPECIFIED;
  alert.cause = "This is a test message sent from the channel settings.";
  alert.since = now;
  alert.dashboard_base_url = std::move(dashboard_base_url);
  alert.dedup_key = absl::StrCat("test:", absl::ToUnixMillis(now));
  return alert;
}

}  // namespace uptime::notifiers
