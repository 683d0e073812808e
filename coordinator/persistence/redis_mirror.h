// The Redis mirror of Persistence: a store::CacheWriter that mirrors
// statuses (latest wins) and durable results (recent history) to Redis,
// pipelined, on its own thread, and refills a monitor's history from
// PostgreSQL's newest results when appends were dropped (Redis down, or
// slower than its bound). Redis failures never block PostgreSQL writes.
//
// Example:
//   std::unique_ptr<store::CacheWriter> mirror =
//       NewRedisMirror(clock, cache, options.cache, tracker, results, metrics);
//   mirror->Start();
#ifndef UPTIME_COORDINATOR_PERSISTENCE_REDIS_MIRROR_H_
#define UPTIME_COORDINATOR_PERSISTENCE_REDIS_MIRROR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "coordinator/health/status_tracker.h"
#include "store/cache_writer.h"
#include "store/result_store.h"
#include "store/status_cache.h"

namespace uptime::coordinator {

// A cache writer onto `cache` whose full resyncs read `tracker` and whose
// refills read `results`, with its gauges (uptime_cache_*) registered in
// `metrics`. Every pointer must outlive the writer (the gauges read it).
std::unique_ptr<store::CacheWriter> NewRedisMirror(Clock* clock, store::StatusCache* cache,
                                                   store::CacheWriterOptions options,
                                                   StatusTracker* tracker,
                                                   store::ResultStore* results,
                                                   MetricsRegistry* metrics);

// The newest `limit` results of a monitor, newest first, for refilling its
// Redis history; NOT_FOUND when the tracker no longer knows the monitor (a
// deleted monitor's history stays deleted).
absl::StatusOr<std::vector<v1::CheckResult>> NewestResults(StatusTracker* tracker,
                                                           store::ResultStore* results,
                                                           const std::string& monitor_id,
                                                           int limit);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_REDIS_MIRROR_H_
