// StatusTracker: the live state of every monitor, decided from results.
//
// Owns one MonitorHealth per monitor, applies counted results to it, keeps
// the latest result, opens and closes incidents, and publishes every state
// change on the EventBus in order. Thread-safe.
//
// Maintenance: a monitor covered by a window of the MaintenanceCalendar shows
// MAINTENANCE; its results still count, but no incident is opened or closed
// (so nothing alerts) until the window ends. Then it takes the state its
// health has: DOWN opens an incident (or keeps the one open since before the
// window, without a second alert), anything else closes an open one. The
// tracker re-evaluates every monitor when the calendar changes and at each
// window boundary, on a clock timer, results or not.
#ifndef UPTIME_COORDINATOR_HEALTH_STATUS_TRACKER_H_
#define UPTIME_COORDINATOR_HEALTH_STATUS_TRACKER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "common/clock.h"
#include "common/labels.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/health/event_bus.h"
#include "coordinator/health/incident_sink.h"
#include "coordinator/catalog/maintenance_calendar.h"
#include "coordinator/health/monitor_health.h"
#include "uptime/v1/status.pb.h"

namespace uptime::coordinator {

struct StateCounts {
  int up = 0;
  int down = 0;
  int pending = 0;
  int paused = 0;
  int maintenance = 0;
};

struct StatusPage {
  std::vector<v1::MonitorStatus> statuses;
  std::string next_page_token;
};

class StatusTracker : public CatalogListener {
 public:
  // `incidents` may be null (incidents are then neither persisted nor
  // alerted). Everything passed in must outlive the tracker.
  StatusTracker(Clock* clock, EventBus* events, IncidentSink* incidents);
  // Cancels the maintenance timer. A timer already running when this runs is
  // not waited for: destroy the tracker only once the clock is quiet.
  ~StatusTracker() override;
  StatusTracker(const StatusTracker&) = delete;
  StatusTracker& operator=(const StatusTracker&) = delete;

  // Puts back states saved before a restart, for monitors in the catalog. A
  // saved MAINTENANCE or DOWN keeps its open incident; whether the monitor is
  // in maintenance now is the current calendar's call.
  void Restore(absl::Span<const v1::MonitorStatus> statuses);

  // Replaces the maintenance calendar (never null), re-evaluates every
  // monitor against it now, and again at each of its later boundaries.
  // Costs one hash lookup plus the active windows' selectors per monitor.
  void SetMaintenanceCalendar(std::shared_ptr<const MaintenanceCalendar> calendar);

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
  // Moves `entry` in or out of maintenance as the active windows say.
  void SyncMaintenanceLocked(Entry& entry, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Recomputes the active windows at `now`, syncs every entry and schedules
  // the next boundary.
  void ReevaluateMaintenanceLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The timer's entry point; `generation` tells a superseded timer to stop.
  void OnMaintenanceBoundary(uint64_t generation);
  v1::MonitorStatus ToStatus(const Entry& entry) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  EventBus* const events_;
  IncidentSink* const incident_sink_;
  mutable absl::Mutex mu_;
  // Keys view the id inside the entry's own proto (re-keyed when the proto
  // is replaced), so no id string is copied per monitor.
  std::map<absl::string_view, Entry> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> dirty_ ABSL_GUARDED_BY(mu_);

  std::shared_ptr<const MaintenanceCalendar> calendar_ ABSL_GUARDED_BY(mu_);
  MaintenanceCalendar::ActiveSet active_ ABSL_GUARDED_BY(mu_);
  Clock::TimerId maintenance_timer_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t timer_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_HEALTH_STATUS_TRACKER_H_
