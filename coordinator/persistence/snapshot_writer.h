// SnapshotWriter: writes Persistence's monitor status snapshots to
// PostgreSQL (what a new leader restores) and passes every change on to the
// Redis mirror.
//
// A snapshot is written at once when what a new leader restores changed
// (state, since, open incident). A change of only counters or the latest
// result waits up to `refresh_interval`, as every result changes them and a
// snapshot per monitor per second would cost as much as the results
// themselves. Snapshots whose write failed are kept, the newest version
// winning, for the next pass.
//
// Thread-safety: not thread-safe; Persistence's ordered thread calls it.
#ifndef UPTIME_COORDINATOR_PERSISTENCE_SNAPSHOT_WRITER_H_
#define UPTIME_COORDINATOR_PERSISTENCE_SNAPSHOT_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "coordinator/health/status_tracker.h"
#include "store/cache_writer.h"
#include "store/incident_store.h"

namespace uptime::coordinator {

class SnapshotWriter {
 public:
  // `cache` may be null (no Redis); `saved` counts snapshot rows written.
  // Every pointer must outlive the writer.
  SnapshotWriter(Clock* clock, absl::Duration refresh_interval, store::IncidentStore* incidents,
                 StatusTracker* tracker, store::CacheWriter* cache, Counter* saved);

  // Takes the tracker's changed statuses, mirrors them all to Redis and
  // writes the snapshots now due.
  void Write();

 private:
  // What a new leader restores from a snapshot (StatusTracker::Restore).
  struct Restorable {
    v1::State state = v1::STATE_UNSPECIFIED;
    int64_t since_seconds = 0;
    int32_t since_nanos = 0;
    std::string open_incident_id;
    bool operator==(const Restorable&) const = default;
  };
  static Restorable RestorableOf(const v1::MonitorStatus& s);

  Clock* const clock_;
  const absl::Duration refresh_interval_;
  store::IncidentStore* const incidents_;
  StatusTracker* const tracker_;
  store::CacheWriter* const cache_;
  Counter* const saved_rows_;

  // What PostgreSQL holds per monitor (a deleted monitor's entry lingers
  // until its next refresh finds it gone); refreshes due, by time; and
  // snapshots to write (kept when a write fails, the newest winning).
  absl::flat_hash_map<std::string, Restorable> saved_;
  absl::flat_hash_map<std::string, absl::Time> deferred_;
  absl::flat_hash_map<std::string, v1::MonitorStatus> unsaved_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_SNAPSHOT_WRITER_H_
