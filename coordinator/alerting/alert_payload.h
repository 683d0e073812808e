// The alert outbox payload: how an alert is stored in an outbox row and read
// back, whichever coordinator (this one after a restart, or a successor
// leader) delivers it; and the rows an incident change needs.
#ifndef UPTIME_COORDINATOR_ALERTING_ALERT_PAYLOAD_H_
#define UPTIME_COORDINATOR_ALERTING_ALERT_PAYLOAD_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/notifiers/alert.h"
#include "store/incident_store.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::coordinator {

// The outbox payload, version 1: a JSON object (protobuf JSON of a
// google.protobuf.Struct), every key optional except "v" and "kind":
//   {"v": 1,
//    "kind": "down" | "recovered" | "still_down" | "tls_expiring" | "test",
//    "monitor": {"id": "mon-1", "name": "api", "target": "https://...",
//                "labels": {"team": "core"}},
//    "incident_id": "inc-42", "dedup_key": "inc-42",
//    "state": "STATE_DOWN",                     // uptime.v1.State enum name
//    "cause": "status: HTTP 503 from eu-west",
//    "since": "2023-11-14T22:13:20.5Z",         // RFC 3339; absent: unknown
//    "duration_ms": 200000,
//    "locations": ["eu-west"],
//    "dashboard_base_url": "https://uptime.example.com",
//    "tls_expiry": "2024-01-01T00:00:00Z"}      // absent: unknown
// Groups are never stored: the sender forms them. Times keep sub-second
// precision. Readers ignore unknown keys, so fields may be added.
std::string AlertToPayload(const notifiers::Alert& alert);
// INVALID_ARGUMENT "payload: ..." for malformed JSON, a missing or unknown
// kind or "v", or a bad time.
absl::StatusOr<notifiers::Alert> PayloadToAlert(absl::string_view payload_json);

// The outbox rows for an incident opening (`recovered` false: kind "down") or
// closing ("recovered"): one per channel id of `monitor`, due at `now`, with
// an AlertToPayload payload. Built once per transition (IncidentAlerts), then
// both delivered from memory and written to the outbox.
std::vector<store::OutboxRow> BuildIncidentOutbox(const v1::Incident& incident,
                                                  const v1::Monitor& monitor, bool recovered,
                                                  absl::Time now,
                                                  const std::string& dashboard_base_url);

// The kind named `name` (AlertKindName's inverse); nullopt when unknown.
std::optional<notifiers::AlertKind> AlertKindFromName(absl::string_view name);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ALERTING_ALERT_PAYLOAD_H_
