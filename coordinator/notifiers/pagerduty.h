// `pagerduty`: PagerDuty Events API v2.
//
// Config:
//   routing_key  (required, secret) the integration key (32 characters)
//   url          (optional) default https://events.pagerduty.com/v2/enqueue
//   severity     (optional) critical (default), error, warning or info: the
//                severity of DOWN alerts
//
// Mapping (dedup_key = DedupKey(alert), normally the incident id, so one
// incident is one PagerDuty alert however often it is re-sent):
//   down, still_down  -> trigger (re-triggering an open alert only adds to
//                        its log: no second page)
//   recovered         -> resolve
//   tls_expiring      -> trigger with severity "warning"
//   test              -> trigger with severity "info", then resolve, so a test
//                        leaves no open incident behind
//   grouped storm     -> one event per member: PagerDuty groups by itself,
//                        and resolving needs each member's dedup_key
//
// Trigger body:
//   {"routing_key": "...", "event_action": "trigger", "dedup_key": "inc-42",
//    "payload": {"summary": "api is DOWN: <cause>", "source": "<target>",
//                "severity": "critical", "timestamp": "<since, RFC 3339>",
//                "component": "<monitor name>", "group": "<monitor id>",
//                "class": "<alert kind>",
//                "custom_details": {"monitor_id", "monitor_name", "target",
//                   "state", "cause", "since", "duration", "locations",
//                   "labels", "incident_id", "dashboard_url"[, "tls_expiry"]}},
//    "client": "Uptime Monitor", "client_url": "<dashboard>",
//    "links": [{"href": "<dashboard>", "text": "Open in Uptime Monitor"}]}
//   (client_url and links only with a dashboard link)
// Resolve body: {"routing_key", "event_action": "resolve", "dedup_key"}.
#ifndef UPTIME_COORDINATOR_NOTIFIERS_PAGERDUTY_H_
#define UPTIME_COORDINATOR_NOTIFIERS_PAGERDUTY_H_

#include <memory>
#include <string>

#include "coordinator/notifiers/alert.h"
#include "coordinator/notifiers/notifier.h"

namespace uptime::notifiers {

inline constexpr char kPagerDutyDefaultUrl[] = "https://events.pagerduty.com/v2/enqueue";

// The Events API v2 body for `alert` (not a group) and `action` ("trigger"
// or "resolve"). Pure; unit-tested field by field.
std::string PagerDutyEvent(const Alert& alert, absl::string_view action,
                           absl::string_view routing_key, absl::string_view severity);

std::unique_ptr<NotifierFactory> MakePagerDutyFactory();

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_PAGERDUTY_H_
