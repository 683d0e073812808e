#include "coordinator/persistence/snapshot_writer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

// Snapshot rows per SaveStates call: one statement's arrays stay a few MB.
constexpr size_t kStatesPerSave = 10'000;

}  // namespace

SnapshotWriter::SnapshotWriter(Clock* clock, absl::Duration refresh_interval,
                               store::IncidentStore* incidents, StatusTracker* tracker,
                               store::CacheWriter* cache, Counter* saved)
    : clock_(clock),
      refresh_interval_(refresh_interval),
      incidents_(incidents),
      tracker_(tracker),
      cache_(cache),
      saved_rows_(saved) {}

SnapshotWriter::Restorable SnapshotWriter::RestorableOf(const v1::MonitorStatus& s) {
  return {s.state(), s.since().seconds(), s.since().nanos(), s.open_incident_id()};
}

void SnapshotWriter::Write() {
  const absl::Time now = clock_->Now();
  std::vector<v1::MonitorStatus> dirty = tracker_->TakeDirty();
  // What a new leader would restore differently is saved now; the rest
  // (counters, the latest result) joins a refresh due within
  // refresh_interval_, so a monitor costs at most one row per interval
  // however many results it gets.
  for (const v1::MonitorStatus& s : dirty) {
    auto saved = saved_.find(s.monitor_id());
    if (saved == saved_.end() || !(saved->second == RestorableOf(s)) ||
        unsaved_.contains(s.monitor_id())) {
      unsaved_.insert_or_assign(s.monitor_id(), s);
      deferred_.erase(s.monitor_id());
    } else {
      deferred_.try_emplace(s.monitor_id(), now + refresh_interval_);
    }
  }
  std::vector<std::string> due;
  for (const auto& [id, when] : deferred_) {
    if (when <= now) due.push_back(id);
  }
  for (const std::string& id : due) {
    deferred_.erase(id);
    absl::StatusOr<v1::MonitorStatus> current = tracker_->Get(id);
    if (current.ok()) {
      unsaved_.insert_or_assign(id, *std::move(current));
    } else {
      saved_.erase(id);  // the monitor is gone
    }
  }
  // Redis gets every change: it is the live view, and cheap to write.
  if (cache_ != nullptr) cache_->Put(std::move(dirty));

  while (!unsaved_.empty()) {
    std::vector<v1::MonitorStatus> batch;
    batch.reserve(std::min(unsaved_.size(), kStatesPerSave));
    for (auto it = unsaved_.begin(); it != unsaved_.end() && batch.size() < kStatesPerSave; ++it) {
      batch.push_back(it->second);
    }
    if (absl::Status s = incidents_->SaveStates(batch); !s.ok()) {
      spdlog::warn("saving {} states failed, will retry: {}", unsaved_.size(), s.message());
      return;  // kept in unsaved_, the newest version winning
    }
    saved_rows_->Increment(batch.size());
    for (const v1::MonitorStatus& s : batch) {
      saved_.insert_or_assign(s.monitor_id(), RestorableOf(s));
      unsaved_.erase(s.monitor_id());
    }
  }
}

}  // namespace uptime::coordinator
