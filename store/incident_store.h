// IncidentStore: incidents, the alert outbox, and the state the coordinator
// restores after a restart or failover.
//
// Alerting is transactional: an incident opens or closes together with its
// outbox rows (one per kind and channel, unique), so an alert is neither
// lost nor doubled across restarts. A sender claims due rows, delivers them,
// and marks them sent or failed (with the next try's time). Rows already
// delivered from memory while PostgreSQL was down are recorded with `sent`
// set, so nobody delivers them again.
//
// Idempotency: OpenIncident returns the monitor's open incident if it has one
// (created=false); CloseIncident of a closed incident returns it unchanged;
// outbox rows that exist already are left alone.
//
// Implementations: MemoryIncidentStore (memory_incident_store.h) and
// PgIncidentStore (pg_incident_store.h).
//
// Example:
//   v1::Incident incident;
//   incident.set_monitor_id(id);
//   ToProto(now, incident.mutable_started());
//   incident.set_cause("status: HTTP 503 from eu-west");
//   ASSIGN_OR_RETURN(OpenedIncident opened,
//                    incidents->OpenIncident(incident, {{"down", channel, payload, now}}));
#ifndef UPTIME_STORE_INCIDENT_STORE_H_
#define UPTIME_STORE_INCIDENT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "uptime/v1/status.pb.h"

namespace uptime::store {

// An alert to enqueue.
struct OutboxRow {
  // "down", "recovered", "renotify:<n>", "tls_expiring", ...
  std::string kind = {};
  std::string channel_id = {};
  std::string payload_json = "{}";
  absl::Time due = {};
  // Set when the alert was already delivered (from memory while the store
  // was unavailable): recorded as sent, never claimed.
  std::optional<absl::Time> sent = std::nullopt;
};

// An enqueued alert, as a sender sees it.
struct OutboxEntry {
  int64_t id = 0;
  std::string incident_id;  // or another dedup subject, see EnqueueAlerts
  std::string kind;
  std::string channel_id;
  std::string payload_json;
  absl::Time created;
  absl::Time due;
  int attempts = 0;  // claims so far, this one included
  std::string last_error;
};

struct OpenedIncident {
  v1::Incident incident;
  bool created = false;  // false: the monitor already had this open incident
};

struct IncidentQuery {
  std::string monitor_id = {};  // empty: all monitors
  bool open_only = false;
  int page_size = 100;  // 0 means 100; capped at 1000
  std::string page_token = {};
};

struct IncidentPage {
  std::vector<v1::Incident> incidents;  // newest first (by started, then id)
  std::string next_page_token;
};

// Thread-safe in every implementation.
class IncidentStore {
 public:
  virtual ~IncidentStore() = default;

  // Opens `incident` (monitor_id, started and cause; id optional: "inc-" +
  // random hex when empty) with its outbox rows, or returns the monitor's
  // open incident and adds the rows to that one.
  virtual absl::StatusOr<OpenedIncident> OpenIncident(const v1::Incident& incident,
                                                      absl::Span<const OutboxRow> outbox) = 0;

  // Resolves incident `id` at `resolved` (kept if already resolved) with its
  // outbox rows. NOT_FOUND for an unknown id.
  virtual absl::StatusOr<v1::Incident> CloseIncident(const std::string& id, absl::Time resolved,
                                                     absl::Span<const OutboxRow> outbox) = 0;

  // Enqueues alerts outside an open/close (re-notify, TLS expiry). `subject`
  // is an incident id or any other dedup key ("tls:<monitor>:<notAfter>").
  virtual absl::Status EnqueueAlerts(const std::string& subject,
                                     absl::Span<const OutboxRow> outbox) = 0;

  // INVALID_ARGUMENT for a malformed page token.
  virtual absl::StatusOr<IncidentPage> ListIncidents(const IncidentQuery& query) = 0;

  // Upserts each monitor's state (state, since, consecutive counts, open
  // incident id, last result). Name and agent ids are not kept: they come
  // from the catalog and the sharding.
  virtual absl::Status SaveStates(absl::Span<const v1::MonitorStatus> statuses) = 0;
  // Every saved state, by monitor id. May include monitors deleted since:
  // callers skip ids not in the catalog.
  virtual absl::StatusOr<std::vector<v1::MonitorStatus>> LoadStates() = 0;
  // Forgets the state of deleted monitors.
  virtual absl::Status DeleteStates(absl::Span<const std::string> monitor_ids) = 0;

  // Up to `limit` unsent rows due at `now`, oldest due first, each leased to
  // the caller until now + lease (its due moves there, attempts grows by
  // one), so a crashed sender's rows come back later instead of being lost.
  virtual absl::StatusOr<std::vector<OutboxEntry>> ClaimDue(absl::Time now, int limit,
                                                            absl::Duration lease) = 0;
  // Marks a row delivered and counts it in its incident's alerts_sent.
  // Idempotent. NOT_FOUND for an unknown id.
  virtual absl::Status MarkSent(int64_t id, absl::Time sent) = 0;
  // Records a failed delivery; the row is due again at `next_due`.
  // NOT_FOUND for an unknown id; no-op for a row already sent.
  virtual absl::Status MarkFailed(int64_t id, const std::string& error, absl::Time next_due) = 0;

  // The id of the row enqueued for (subject, kind, channel), sent or not.
  // NOT_FOUND when there is none (yet): an alert delivered from memory is
  // recorded through this once its incident's transaction has landed.
  virtual absl::StatusOr<int64_t> FindOutboxRow(const std::string& subject,
                                                const std::string& kind,
                                                const std::string& channel_id) = 0;
};

// "inc-" + 16 random hex digits.
std::string NewIncidentId();

}  // namespace uptime::store

#endif  // UPTIME_STORE_INCIDENT_STORE_H_
