// RedisFallback: the status snapshot from Redis, for a gateway that starts
// while the coordinator cannot be reached, with the monitors' labels.
//
// The coordinator mirrors statuses to Redis but not labels (they live with
// the monitors in PostgreSQL), and without labels a label selector cannot be
// answered. So a gateway with --redis records the labels of every load from
// the coordinator there (Remember(): one key for the whole fleet, written
// only when the labels changed or Redis reconnected, as it may have
// restarted empty). Load() merges them into the statuses; when they do not
// cover every status (a monitor created since, or nothing recorded) the
// labels stay unknown and selector reads are refused, as without a record.
// Labels changed while no gateway was connected are as stale as the record.
//
// Example:
//   RedisFallback fallback(&redis_cache);
//   options.fallback = [&] { return fallback.Load(); };
//   options.remember_labels = [&](const LabelsById& l) { fallback.Remember(l); };
//
// Thread-safety: thread-safe; `cache` must outlive it.
#ifndef UPTIME_GATEWAY_REDIS_FALLBACK_H_
#define UPTIME_GATEWAY_REDIS_FALLBACK_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gateway/upstream.h"
#include "store/redis/redis_status_cache.h"
#include "uptime/v1/status.pb.h"

namespace uptime::gateway {

// `statuses` keyed by monitor id, with their labels from `labels` when it
// has every one of them (labels_known), else without any.
FallbackSnapshot MergeFallback(std::vector<v1::MonitorStatus> statuses,
                               const absl::StatusOr<LabelsById>& labels);

class RedisFallback {
 public:
  explicit RedisFallback(store::RedisStatusCache* cache) : cache_(cache) {}

  // Every status in Redis, with the recorded labels (see MergeFallback).
  // Errors: the statuses could not be read. Labels that cannot be read
  // only leave them unknown.
  absl::StatusOr<FallbackSnapshot> Load();

  // Records `labels` (every monitor's, from a load from the coordinator)
  // unless Redis already holds exactly these. A failure is logged and
  // retried with the next load.
  void Remember(const LabelsById& labels);

 private:
  store::RedisStatusCache* const cache_;
  absl::Mutex mu_;
  LabelsById recorded_ ABSL_GUARDED_BY(mu_);
  // The connection generation the record was written on; 0: none written.
  uint64_t recorded_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool failing_ ABSL_GUARDED_BY(mu_) = false;  // warned once per streak
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_REDIS_FALLBACK_H_
