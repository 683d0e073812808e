// StatusCache: the live view in Redis that the gateway and dashboards read
// without asking the coordinator: each monitor's status, a capped list of its
// recent results (for graphs), and pub/sub channels of events.
//
// Redis is a cache here, not a source of truth: when it restarts empty,
// generation() changes and the coordinator writes every status again.
//
// Implementations: MemoryStatusCache (below) and RedisStatusCache
// (redis_status_cache.h).
//
// Example:
//   RETURN_IF_ERROR(cache->Put(changed_statuses));
//   RETURN_IF_ERROR(cache->AppendHistory(batch));
//   RETURN_IF_ERROR(cache->Publish("uptime:events", event.SerializeAsString()));
#ifndef UPTIME_STORE_STATUS_CACHE_H_
#define UPTIME_STORE_STATUS_CACHE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "uptime/v1/result.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::store {

// Thread-safe in every implementation.
class StatusCache {
 public:
  virtual ~StatusCache() = default;

  // Stores each monitor's status (replacing the previous one).
  virtual absl::Status Put(absl::Span<const v1::MonitorStatus> statuses) = 0;
  // Forgets the status and history of deleted monitors.
  virtual absl::Status Remove(absl::Span<const std::string> monitor_ids) = 0;
  // Adds results (in completion order) to their monitors' recent history,
  // keeping the newest history_length() per monitor. (A backend may hold a
  // few more between trims; History() never returns more.)
  virtual absl::Status AppendHistory(absl::Span<const v1::CheckResult> results) = 0;
  // Up to `limit` most recent results of a monitor, newest first.
  virtual absl::StatusOr<std::vector<v1::CheckResult>> History(const std::string& monitor_id,
                                                               int limit) = 0;
  virtual absl::Status Publish(absl::string_view channel, absl::string_view message) = 0;
  // NOT_FOUND when the monitor has no status.
  virtual absl::StatusOr<v1::MonitorStatus> Get(const std::string& monitor_id) = 0;
  // Every status, ordered by monitor id.
  virtual absl::StatusOr<std::vector<v1::MonitorStatus>> GetAll() = 0;
  // Counts (re)connections. A change since the last look means the cache may
  // have lost its contents: write everything again.
  virtual uint64_t generation() const = 0;
};

class MemoryStatusCache : public StatusCache {
 public:
  explicit MemoryStatusCache(int history_length = 1000) : history_length_(history_length) {}

  absl::Status Put(absl::Span<const v1::MonitorStatus> statuses) override;
  absl::Status Remove(absl::Span<const std::string> monitor_ids) override;
  absl::Status AppendHistory(absl::Span<const v1::CheckResult> results) override;
  absl::StatusOr<std::vector<v1::CheckResult>> History(const std::string& monitor_id,
                                                       int limit) override;
  absl::Status Publish(absl::string_view channel, absl::string_view message) override;
  absl::StatusOr<v1::MonitorStatus> Get(const std::string& monitor_id) override;
  absl::StatusOr<std::vector<v1::MonitorStatus>> GetAll() override;
  uint64_t generation() const override { return 1; }

  // What Publish() sent, in order, as (channel, message).
  std::vector<std::pair<std::string, std::string>> published() const;

 private:
  const int history_length_;
  mutable absl::Mutex mu_;
  std::map<std::string, v1::MonitorStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::deque<v1::CheckResult>> history_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::string>> published_ ABSL_GUARDED_BY(mu_);
};

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

#endif  // UPTIME_STORE_STATUS_CACHE_H_
