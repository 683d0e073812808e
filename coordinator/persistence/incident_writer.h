// IncidentWriter: Persistence's queue of incidents opened and closed, each
// with its outbox rows, written to PostgreSQL in the order they happened.
//
// Record() queues (from the status tracker's thread); WritePending() runs on
// Persistence's ordered thread and stops at the first failure, keeping that
// incident and the ones after it for the next pass, so a close never
// overtakes its open. An open that finds the monitor's incident from before
// a restart still open adopts it (StatusTracker::AdoptIncident) instead of
// making a twin.
//
// Thread-safety: Record from any thread; WritePending from one thread.
#ifndef UPTIME_COORDINATOR_PERSISTENCE_INCIDENT_WRITER_H_
#define UPTIME_COORDINATOR_PERSISTENCE_INCIDENT_WRITER_H_

#include <deque>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/health/status_tracker.h"
#include "store/incident_store.h"

namespace uptime::coordinator {

class IncidentWriter {
 public:
  // Both must outlive the writer.
  IncidentWriter(store::IncidentStore* incidents, StatusTracker* tracker);

  // Queues opening `incident` (or closing it, when `resolved`).
  void Record(const v1::Incident& incident, bool resolved, std::vector<store::OutboxRow> outbox);

  // Writes what is queued, oldest first. False when a write failed (it and
  // the rest stay queued); true when the queue is empty.
  bool WritePending();

 private:
  struct Op {
    v1::Incident incident;  // open when `resolved` is unset
    std::optional<absl::Time> resolved;
    std::vector<store::OutboxRow> outbox;
  };

  store::IncidentStore* const incidents_;
  StatusTracker* const tracker_;
  absl::Mutex mu_;
  std::deque<Op> ops_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_INCIDENT_WRITER_H_
