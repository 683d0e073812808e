// UptimeCache: every monitor's uptime over the last 24 hours, kept in memory
// and recomputed from the result store's roll-ups every `refresh_interval`,
// so StatusService.ListUptime answers from memory at any fleet size.
//
// One pass is one ResultStore::SumUptime over all monitors (hour buckets plus
// at most a couple of hours of minute buckets: see result_store.h), run on
// the cache's own PeriodicRunner thread with the injected Clock, so tests
// advance a SimulatedClock instead of sleeping. A failed pass keeps the
// previous summary (its `computed_at` shows its age) and is retried after
// `retry_interval`.
//
// Example:
//   UptimeCache uptime(clock, results, {});
//   uptime.Start();                      // first pass at once
//   std::shared_ptr<const UptimeSummary> s = uptime.Current();
//   if (s != nullptr) { const store::UptimeTotals* t = s->Find(id); ... }
//   uptime.Stop();
//
// Thread-safety: thread-safe. Start and Stop from one owner thread. The
// result store must outlive the cache.
#ifndef UPTIME_COORDINATOR_PERSISTENCE_UPTIME_CACHE_H_
#define UPTIME_COORDINATOR_PERSISTENCE_UPTIME_CACHE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/periodic_runner.h"
#include "store/result_store.h"

namespace uptime::coordinator {

struct UptimeCacheOptions {
  // The window summed; its name in the API is `window_name`.
  absl::Duration window = absl::Hours(24);
  std::string window_name = "24h";
  absl::Duration refresh_interval = absl::Minutes(1);
  // After a failed pass (the store unreachable).
  absl::Duration retry_interval = absl::Seconds(5);
};

// One immutable summary: the totals of every monitor with checks in
// [computed_at - window, computed_at).
struct UptimeSummary {
  absl::Time computed_at;
  absl::flat_hash_map<std::string, store::UptimeTotals> totals;

  // Null for a monitor without checks in the window.
  const store::UptimeTotals* Find(const std::string& monitor_id) const {
    auto it = totals.find(monitor_id);
    return it == totals.end() ? nullptr : &it->second;
  }
};

class UptimeCache {
 public:
  UptimeCache(Clock* clock, store::ResultStore* results, UptimeCacheOptions options);
  UptimeCache(const UptimeCache&) = delete;
  UptimeCache& operator=(const UptimeCache&) = delete;

  // Starts the refresh thread; the first pass runs at once.
  void Start();
  // Waits for a pass in progress. Idempotent.
  void Stop();

  // Recomputes the summary now, on the caller's thread; on failure the
  // previous summary stays. What each pass of the thread calls.
  absl::Status Refresh();

  // The latest summary; null before the first successful pass.
  std::shared_ptr<const UptimeSummary> Current() const;

  const UptimeCacheOptions& options() const { return options_; }
  // Passes completed by the refresh thread (PeriodicRunner::passes).
  const PeriodicRunner& runner() const { return runner_; }

 private:
  Clock* const clock_;
  store::ResultStore* const results_;
  const UptimeCacheOptions options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const UptimeSummary> current_ ABSL_GUARDED_BY(mu_);
  PeriodicRunner runner_;  // last: its pass uses the fields above
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_UPTIME_CACHE_H_
