// The alert as JSON: the `webhook` notifier's body and what C-ABI plugins
// receive. A documented, versioned contract: fields may be added within
// version 1, never renamed, removed or retyped.
//
// Schema, version 1 (every key is always present; order as shown):
//   {
//     "version": 1,
//     "kind": "down" | "recovered" | "still_down" | "tls_expiring" | "test",
//     "sent_at": "2023-11-14T22:15:00Z",         // RFC 3339 UTC, when sent
//     "dedup_key": "inc-42",                      // stable per incident
//     "incident_id": "inc-42",                    // "" when none
//     "state": "DOWN" | "UP" | "PENDING" | "PAUSED" | "MAINTENANCE" | "UNKNOWN",
//     "monitor": {"id": "m-1", "name": "api", "target": "https://api/health",
//                 "labels": {"team": "core"}},
//     "cause": "status: HTTP 503 from eu-west",  // "" when none
//     "since": "2023-11-14T22:13:20Z" | null,
//     "duration_seconds": 200,                    // integer; 0 = not applicable
//     "locations": ["eu-west"],
//     "dashboard_url": "https://uptime/monitors/m-1" | "",
//     "tls_expiry": "2024-01-01T00:00:00Z" | null,
//     "group": [ <member>, ... ]                  // [] unless a grouped storm
//   }
// A <member> has the same keys except "version", "sent_at" and "group".
// Strings are valid UTF-8 (invalid input bytes become U+FFFD).
#ifndef UPTIME_COORDINATOR_NOTIFIERS_ALERT_JSON_H_
#define UPTIME_COORDINATOR_NOTIFIERS_ALERT_JSON_H_

#include <string>

#include "absl/time/time.h"
#include "coordinator/notifiers/alert.h"

namespace uptime::notifiers {

inline constexpr int kAlertJsonVersion = 1;

// The version-1 document for `alert`, compact (no whitespace).
std::string AlertToJson(const Alert& alert, absl::Time sent_at);

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_ALERT_JSON_H_
