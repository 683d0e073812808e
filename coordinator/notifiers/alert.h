// Alert: what a notifier is asked to deliver, independent of any channel.
//
// The alerting code builds one Alert per (incident, kind) and hands it to
// each channel's Notifier; the notifiers only format and deliver, so all of
// them see the same facts. An alert storm (many monitors going DOWN at once,
// e.g. when a shared dependency fails) may be folded into one Alert whose
// `group` holds the members; the top-level fields then describe the group
// (its kind, since, dashboard base) and `monitor` may be empty.
//
// Example:
//   Alert alert;
//   alert.kind = AlertKind::kDown;
//   alert.monitor = AlertMonitorFromProto(monitor);
//   alert.incident_id = incident.id();
//   alert.dedup_key = incident.id();
//   alert.new_state = v1::STATE_DOWN;
//   alert.cause = incident.cause();
//   alert.since = FromProto(incident.started());
//   alert.dashboard_base_url = "https://uptime.example.com";
//   RETURN_IF_ERROR(notifier->Send(alert));
#ifndef UPTIME_COORDINATOR_NOTIFIERS_ALERT_H_
#define UPTIME_COORDINATOR_NOTIFIERS_ALERT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::notifiers {

enum class AlertKind {
  kDown,         // the monitor went DOWN: an incident opened
  kRecovered,    // the monitor is UP again: the incident closed
  kStillDown,    // re-notification while the incident stays open
  kTlsExpiring,  // the certificate expires within the warning window
  kTest,         // NotificationService.TestChannel
};

inline constexpr AlertKind kAllAlertKinds[] = {AlertKind::kDown, AlertKind::kRecovered,
                                               AlertKind::kStillDown, AlertKind::kTlsExpiring,
                                               AlertKind::kTest};

// "down", "recovered", "still_down", "tls_expiring", "test": the stable names
// used in payloads (webhook "kind", plugin JSON) and logs.
absl::string_view AlertKindName(AlertKind kind);

// The monitor an alert is about: the few fields a message shows.
struct AlertMonitor {
  std::string id;
  std::string name;
  // What is checked, as a person reads it: the URL for HTTP, "host:port" for
  // TCP, the name for DNS and ICMP, the target for gRPC.
  std::string target;
  std::map<std::string, std::string> labels;
};

struct Alert {
  AlertKind kind = AlertKind::kDown;
  AlertMonitor monitor;
  std::string incident_id;
  // The state the monitor entered (DOWN for kDown/kStillDown, UP for
  // kRecovered; the current state otherwise).
  v1::State new_state = v1::STATE_UNSPECIFIED;
  // Why it is down (the incident cause, e.g. "status: HTTP 503 from
  // eu-west"); for kRecovered, the cause of the incident that closed.
  std::string cause;
  // When the monitor entered the state (for kTlsExpiring: when the
  // certificate was observed).
  absl::Time since = absl::InfinitePast();
  // kRecovered: how long it was down; kStillDown: how long it has been down
  // so far. Zero means "not applicable" and is not shown.
  absl::Duration duration = absl::ZeroDuration();
  // The locations (agent location labels) whose results caused the change.
  std::vector<std::string> locations;
  // The dashboard's base URL ("https://uptime.example.com"); empty when the
  // operator configured none, and then messages carry no link.
  std::string dashboard_base_url;
  // kTlsExpiring: the certificate's notAfter. InfinitePast when unknown.
  absl::Time tls_expiry = absl::InfinitePast();
  // Identifies the incident at the receiver (PagerDuty's dedup_key, the
  // webhook's "dedup_key"), so a redelivered alert updates instead of
  // duplicating. Usually the incident id; see DedupKey().
  std::string dedup_key;
  // Members of a grouped storm, all of the top-level `kind`; empty for a
  // single alert. Members never have groups of their own.
  std::vector<Alert> group;
};

// `alert.dedup_key`, or the incident id when it is empty, or "monitor:<id>"
// when both are (test and TLS alerts may have no incident).
std::string DedupKey(const Alert& alert);

// The dashboard page of the alert's monitor ("<base>/monitors/<id>"), the
// base alone for a group or an alert without a monitor id, or "" without a
// base. Ids are URL-escaped.
std::string DashboardLink(const Alert& alert);

// The first line a person reads, without decoration: "api is DOWN",
// "api is UP", "api is still DOWN", "api: TLS certificate expires in 6d 3h",
// "Test message from Uptime Monitor"; for a group "12 monitors are DOWN".
std::string AlertHeadline(const Alert& alert);

// The monitor's name, or its target or id when unnamed.
std::string DisplayName(const AlertMonitor& monitor);

// "DOWN", "UP", "PENDING", "PAUSED", "MAINTENANCE" or "UNKNOWN".
absl::string_view StateName(v1::State state);

// A short human duration with the two largest units: "45s", "3m 20s",
// "2h 5m", "3d 4h". Negative durations read as "0s"; sub-second ones as "<1s"
// when positive.
std::string HumanDuration(absl::Duration d);

// "2023-11-14 22:13:20 UTC", or "unknown" for an infinite time.
std::string FormatUtc(absl::Time t);

// RFC 3339 in UTC with second precision: "2023-11-14T22:13:20Z".
std::string FormatRfc3339(absl::Time t);

// The monitor's target string (see AlertMonitor::target).
std::string MonitorTarget(const v1::Monitor& monitor);

// id, name, target and labels of `monitor`.
AlertMonitor AlertMonitorFromProto(const v1::Monitor& monitor);

// The alert NotificationService.TestChannel sends: kind kTest, a placeholder
// monitor named "Uptime Monitor test", since `now`.
Alert MakeTestAlert(absl::Time now, std::string dashboard_base_url);

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_ALERT_H_
