// StatusTracker: the live state of every monitor, decided from results.
//
// Owns one MonitorHealth per monitor, applies counted results to it, keeps
// the latest result, opens and closes incidents, and publishes every state
// change on the EventBus in order. Thread-safe.
#ifndef UPTIME_COORDINATOR_STATUS_TRACKER_H_
#define UPTIME_COORDINATOR_STATUS_TRACKER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "common/clock.h"
#include "common/labels.h"
#include "coordinator/catalog.h"
#include "coordinator/event_bus.h"
#include "coordinator/state_machine.h"
#include "uptime/v1/status.pb.h"

namespace uptime::coordinator {

struct StateCounts {
  int up = 0;
  int down = 0;
  int pending = 0;
  int paused = 0;
};

// Where incident changes go to be persisted. Called under the tracker's lock
// in the order they happen: implementations only queue.
class IncidentSink {
 public:
  virtual ~IncidentSink() = default;
  // `monitor` is the definition at the time (channels to alert, name, ...).
  virtual void IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) = 0;
  virtual void IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) = 0;
};

struct StatusPage {
  std::vector<v1::MonitorStatus> statuses;
  std::string next_page_token;
};

class StatusTracker : public CatalogListener {
 public:
  StatusTracker(Clock* clock, EventBus* events);

  // Must be set before results arrive; may stay null (nothing persisted).
  void SetIncidentSink(IncidentSink* sink) { incident_sink_ = sink; }

  // Puts back states saved before a restart, for monitors in the catalog.
  void Restore(absl::Span<const v1::MonitorStatus> statuses);

  // Statuses changed since the last call (for PostgreSQL snapshots and Redis).
  std::vector<v1::MonitorStatus> TakeDirty();
  // Every status (after Redis lost its data).
  std::vector<v1::MonitorStatus> All() const;

  // The store already had an open incident for the monitor: use its id.
  void AdoptIncident(const std::string& monitor_id, const std::string& ours,
                     const std::string& existing);

  void OnMonitorUpserted(const MonitorPtr& monitor) override;
  void OnMonitorRemoved(const std::string& id) override;

  // Counts results that passed the epoch check, in order.
  void Ingest(absl::Span<const v1::CheckResult> results);

  absl::StatusOr<v1::MonitorStatus> Get(const std::string& monitor_id) const;
  absl::StatusOr<StatusPage> List(const LabelSelector& selector, v1::State state, int page_size,
                                  const std::string& page_token) const;
  StateCounts Counts() const;

 private:
  struct Entry {
    MonitorPtr monitor;
    HealthPolicy policy;
    MonitorHealth health;
    v1::CheckResult last_result;
    bool has_result = false;
    std::string open_incident_id;
  };

  void ApplyTransition(Entry& entry, const Transition& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::MonitorStatus ToStatus(const Entry& entry) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  EventBus* const events_;
  IncidentSink* incident_sink_ = nullptr;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> dirty_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_STATUS_TRACKER_H_
