// CacheWriter: write-behind in front of a StatusCache.
#ifndef UPTIME_STORE_CACHE_WRITER_H_
#define UPTIME_STORE_CACHE_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/status_cache.h"

namespace uptime::store {

struct CacheWriterOptions {
  // How often pending writes go out (one pipelined round trip per kind).
  absl::Duration interval = absl::Milliseconds(50);
  // Results waiting for the history lists; past this, new ones are dropped
  // (and counted) rather than letting a slow or absent Redis grow memory.
  size_t max_pending_results = 200'000;
};

// Write-behind for a StatusCache, on its own thread, so the cache's speed or
// absence never holds up the writes that matter (PostgreSQL) or the callers.
//
// Statuses coalesce per monitor (the latest wins: the cache holds a live
// view, not a log); results queue for the history lists and are appended in
// one pipelined call per flush. When the cache's generation() changes (Redis
// restarted empty, or a status write failed), every status is written again
// from `snapshot` before anything else, so the cache converges on the truth.
//
// Example:
//   CacheWriter writer(cache, [&] { return tracker.All(); }, {});
//   writer.Start();
//   writer.Put(tracker.TakeDirty());
//   writer.AppendHistory(std::move(durable_results));
//
// Thread-safety: thread-safe. `cache` must outlive the writer.
class CacheWriter {
 public:
  using Snapshot = std::function<std::vector<v1::MonitorStatus>()>;

  CacheWriter(StatusCache* cache, Snapshot snapshot, CacheWriterOptions options);
  // Stops (with a last flush) if still running.
  ~CacheWriter();
  CacheWriter(const CacheWriter&) = delete;
  CacheWriter& operator=(const CacheWriter&) = delete;

  void Start();
  // Flushes what is pending once more (failures are dropped), then joins.
  void Stop();

  // Queues statuses; a later one for the same monitor replaces an earlier.
  void Put(std::vector<v1::MonitorStatus> statuses);
  // Queues results for the history lists, in order; drops them (counted in
  // dropped_results()) while max_pending_results are already waiting.
  void AppendHistory(std::vector<v1::CheckResult> results);

  // Results dropped so far: over the bound, or lost with a failed write.
  uint64_t dropped_results() const;
  size_t pending_results() const;

 private:
  void Run();
  void FlushOnce();

  StatusCache* const cache_;
  const Snapshot snapshot_;
  const CacheWriterOptions options_;

  mutable absl::Mutex mu_;
  std::unordered_map<std::string, v1::MonitorStatus> statuses_ ABSL_GUARDED_BY(mu_);
  // Whole batches, as handed over: no per-result work under the lock.
  std::vector<std::vector<v1::CheckResult>> history_ ABSL_GUARDED_BY(mu_);
  size_t pending_results_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  // Writer thread only: the cache generation every status was last written
  // to; 0 means "write them all again".
  uint64_t synced_generation_ = 0;
  uint64_t failed_generation_ = UINT64_MAX;
  int64_t flushes_since_failure_ = 0;
  std::thread thread_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_CACHE_WRITER_H_
