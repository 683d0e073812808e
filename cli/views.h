// Table views of the API's messages for `--output table`, and the small
// formatting rules they share (durations, ages, states). JSON and YAML output
// do not come through here: they show the whole message.
#ifndef UPTIME_CLI_VIEWS_H_
#define UPTIME_CLI_VIEWS_H_

#include <string>

#include "absl/time/time.h"
#include "cli/output.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/auth.pb.h"
#include "uptime/v1/cluster.pb.h"
#include "uptime/v1/maintenance.pb.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/notification.pb.h"
#include "uptime/v1/status.pb.h"
#include "uptime/v1/status_page.pb.h"
#include "uptime/v1/user.pb.h"

namespace uptime::cli {

// ID, NAME, TYPE, TARGET, INTERVAL, LABELS, PAUSED.
Table MonitorsTable(const google::protobuf::RepeatedPtrField<v1::Monitor>& monitors);

// ID, NAME, STATE, SINCE, LATENCY, LAST ERROR (of the latest result).
Table StatusesTable(const google::protobuf::RepeatedPtrField<v1::MonitorStatus>& statuses,
                    absl::Time now);

// ID, LABELS, VERSION, MONITORS, CAPACITY, CHECKS/S, IN-FLIGHT, CONNECTED,
// HEARTBEAT, DRAINING.
Table AgentsTable(const google::protobuf::RepeatedPtrField<v1::AgentInfo>& agents,
                  absl::Time now);

// Key/value lines without a header.
Table ClusterTable(const v1::ClusterInfo& info, absl::Time now);

// ID, NAME, COVERS, SCHEDULE, ACTIVE, NEXT.
Table MaintenanceTable(const google::protobuf::RepeatedPtrField<v1::MaintenanceWindow>& windows,
                       absl::Time now);

// SLUG, TITLE, GROUPS, MONITORS (shown, summed over groups), URL, UPDATED.
Table StatusPagesTable(const google::protobuf::RepeatedPtrField<v1::StatusPage>& pages,
                       absl::Time now);

// GROUP, MONITORS (as configured), SELECTOR, SHOWS (resolved count): the
// groups of one page, in page order.
Table StatusPageGroupsTable(const v1::StatusPage& page);

// ID, NAME, TYPE, CONFIG ("k=v,..." sorted by key, as the server returned
// it: secrets redacted), UPDATED.
Table ChannelsTable(const google::protobuf::RepeatedPtrField<v1::Channel>& channels,
                    absl::Time now);

// Key/value lines without a header: who the credentials are, their role,
// kind and (sessions) expiry.
Table CallerTable(const v1::Caller& caller, absl::Time now);

// ID, USERNAME, DISPLAY NAME, ROLE, STATUS (active/disabled), LAST LOGIN,
// CREATED.
Table UsersTable(const google::protobuf::RepeatedPtrField<v1::User>& users, absl::Time now);

// ID, NAME, OWNER, ROLE, PREFIX, EXPIRES, LAST USED, CREATED. Never the key:
// the server does not have it after creation.
Table ApiKeysTable(const google::protobuf::RepeatedPtrField<v1::ApiKey>& keys, absl::Time now);

// TIME (UTC), ACTOR, ACTION, RESOURCE ("monitor m-..."), in the order given
// (the server's: newest first). Absolute times: an audit trail is compared
// with other logs.
Table AuditEventsTable(const google::protobuf::RepeatedPtrField<v1::AuditEvent>& events);

// "viewer", "editor", "admin"; "-" when unset.
std::string RoleName(v1::Role role);

// "in 29d23h", "expired 2h0m ago", or `unset` for an unset time.
std::string ExpiresIn(const google::protobuf::Timestamp& time, absl::Time now,
                      const std::string& unset);

// When a window is in effect: "2026-11-25 12:00 - 13:00 UTC" for a one-off,
// "mon,sat 02:30 Europe/Berlin for 2h" for a recurring one.
std::string MaintenanceSchedule(const v1::MaintenanceWindow& window);

// "http", "tcp", ... of the monitor's oneof; "-" when unset.
std::string CheckTypeName(const v1::Monitor& monitor);

// What the monitor checks: "POST https://x/", "db:5432", "example.com AAAA".
std::string CheckTarget(const v1::Monitor& monitor);

// "30s", "1m30s"; "-" when zero (unset).
std::string FormatDuration(const google::protobuf::Duration& duration);

// Compact age for "5m ago" columns: 45s, 12m, 3h12m, 5d3h. Negative ages
// (clock skew between hosts) print as 0s.
std::string HumanAge(absl::Duration age);

// "12m ago"; "-" for an unset timestamp.
std::string Ago(const google::protobuf::Timestamp& time, absl::Time now);

// Check latency from microseconds: 850us, 4.2ms, 120ms, 2.5s.
std::string FormatLatency(int64_t micros);

// "k=v,k2=v2" sorted by key; "-" when empty.
std::string FormatLabels(const google::protobuf::Map<std::string, std::string>& labels);

// "UP", "DOWN", ... without the enum prefix.
std::string StateName(v1::State state);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_VIEWS_H_
