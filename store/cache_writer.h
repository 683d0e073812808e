// CacheWriter: write-behind in front of a StatusCache.
#ifndef UPTIME_STORE_CACHE_WRITER_H_
#define UPTIME_STORE_CACHE_WRITER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "store/status_cache.h"

namespace uptime::store {

struct CacheWriterOptions {
  // How often pending writes go out (one pipelined round trip per kind).
  absl::Duration interval = absl::Milliseconds(50);
  // Results waiting for the history lists. Past this, new ones are not kept
  // (memory stays bounded while the cache is slow or down): they are
  // counted as dropped and their monitors refilled from the source of
  // truth instead. As many as the coordinator's write queue holds (about
  // 200 bytes each): at 50,000 results/s on a loaded 2-core machine a flush
  // can take 2-3 s, and the backlog then reached 160,000.
  size_t max_pending_results = 500'000;
  // Statuses written per flush at most (changed ones first, then those of a
  // resync after a reconnect); the rest wait, coalesced, for the next flush.
  // Bounds a flush, so history appends never wait seconds behind a status
  // write of every monitor (as at start, when every status is new).
  size_t status_batch = 10'000;
  // Newest results a refill reads per monitor (the cache's history length).
  int history_length = 1000;
  // Monitors refilled per flush at most, and only while the backlog is
  // under half its bound: a refill after the cache lost everything spreads
  // over time instead of starving the appends.
  size_t refill_batch = 200;
  // And for at most this long per flush (the source of truth may be slow
  // under load; the appends come first).
  absl::Duration refill_budget = absl::Milliseconds(25);
  // The shortest time between two warnings that history was dropped.
  absl::Duration log_interval = absl::Seconds(10);
};

// What the writer did, for metrics, benchmarks and tests.
struct CacheWriterStats {
  uint64_t results_appended = 0;   // results written to history lists
  uint64_t results_dropped = 0;    // over the bound, or their write failed
  uint64_t monitors_refilled = 0;  // histories replaced from the source of truth
  size_t backlog = 0;              // results waiting to be appended
  size_t max_backlog = 0;          // the most that ever waited
  size_t stale_monitors = 0;       // histories missing results, to be refilled
  absl::Duration longest_flush;    // wall time of the slowest flush, and of
  absl::Duration longest_statuses;  // its slowest status write,
  absl::Duration longest_append;    // history append,
  absl::Duration longest_refill;    // and refill step
  absl::Duration cpu;              // CPU time of the writer's thread
};

// Write-behind for a StatusCache, on its own thread, so the cache's speed or
// absence never holds up the writes that matter (PostgreSQL) or the callers.
//
// Statuses coalesce per monitor (the latest wins: the cache holds a live
// view, not a log); results queue for the history lists, and every flush
// appends all that waits with one multi-value LPUSH per monitor, pipelined.
//
// No silent loss: a result that cannot be appended (over the bound, or its
// write failed) is counted and its monitor marked stale; stale histories
// are refilled from `fetch` (PostgreSQL, which holds every result) once the
// backlog allows, a few per flush. When the cache's generation() changes
// (reconnect, or a failed status write), every status is written again from
// `snapshot`, and if MarkContents() says the cache lost everything, every
// monitor that has results is refilled too.
//
// A refill reads results that may also be on their way here (durable, not
// yet handed over); tickets keep them from being appended twice. Callers
// take a ticket before the durable write (BeginAppend) and hand the results
// over with it, or cancel it if the write failed.
//
// Example:
//   CacheWriter writer(cache, [&] { return tracker.All(); }, fetch_from_pg, {}, clock);
//   writer.Start();
//   writer.Put(tracker.TakeDirty());
//   const uint64_t ticket = writer.BeginAppend();
//   if (results_store.WriteBatch(rows, acks).ok()) {
//     writer.AppendHistory(ticket, std::move(rows));
//   } else {
//     writer.CancelAppend(ticket);
//   }
//
// Thread-safety: thread-safe. `cache` and `clock` must outlive the writer.
class CacheWriter {
 public:
  using Snapshot = std::function<std::vector<v1::MonitorStatus>()>;
  // Up to `limit` newest results of a monitor, newest first, from the source
  // of truth; NOT_FOUND when the monitor is gone (its history is left alone).
  using Fetch =
      std::function<absl::StatusOr<std::vector<v1::CheckResult>>(const std::string& monitor_id,
                                                                  int limit)>;

  // Without `fetch` (null), stale histories are counted but never refilled.
  CacheWriter(StatusCache* cache, Snapshot snapshot, Fetch fetch, CacheWriterOptions options,
              Clock* clock);
  // Stops (with a last flush) if still running.
  ~CacheWriter();
  CacheWriter(const CacheWriter&) = delete;
  CacheWriter& operator=(const CacheWriter&) = delete;

  // Notes which monitors have results already (from `snapshot`): if the
  // cache turns out empty, those are the histories to refill; later results
  // come through AppendHistory.
  void Start();
  // Flushes what is pending once more (failures are counted), then joins.
  void Stop();

  // Queues statuses; a later one for the same monitor replaces an earlier.
  void Put(std::vector<v1::MonitorStatus> statuses);

  // A ticket for results about to be made durable; see the class comment.
  uint64_t BeginAppend();
  // Queues results that are durable now for the history lists, in order.
  // Over max_pending_results they are dropped (counted) and their monitors
  // refilled later.
  void AppendHistory(uint64_t ticket, std::vector<v1::CheckResult> results);
  // The durable write under `ticket` failed: nothing will come for it.
  void CancelAppend(uint64_t ticket);

  CacheWriterStats stats() const;

 private:
  struct Handoff {
    uint64_t ticket = 0;
    std::vector<v1::CheckResult> results;
  };
  // Results a refill read: handoffs with a ticket below `mark` may repeat
  // them and are filtered; later ones were made durable after the read.
  struct RefillFilter {
    uint64_t mark = 0;
    absl::flat_hash_map<uint64_t, int> keys;  // ResultKey -> how many
  };

  void Run();
  void FlushOnce(bool last);
  // After a reconnect: checks the contents marker (a refill of every
  // history if it was gone) and queues every status to be written again.
  void Resync();
  void WriteStatuses(std::unordered_map<std::string, v1::MonitorStatus> changed);
  void AppendAll(std::vector<Handoff> handoffs);
  void RefillSome();
  void MarkStale(absl::Span<const v1::CheckResult> results) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MaybeLog();
  static uint64_t ResultKey(const v1::CheckResult& r);

  StatusCache* const cache_;
  const Snapshot snapshot_;
  const Fetch fetch_;
  const CacheWriterOptions options_;
  Clock* const clock_;

  mutable absl::Mutex mu_;
  std::unordered_map<std::string, v1::MonitorStatus> statuses_ ABSL_GUARDED_BY(mu_);
  // Whole handoffs, as given: no per-result work under the lock.
  std::vector<Handoff> history_ ABSL_GUARDED_BY(mu_);
  size_t pending_results_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 1;
  absl::btree_set<uint64_t> open_tickets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> stale_ ABSL_GUARDED_BY(mu_);
  CacheWriterStats stats_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  // Writer thread only.
  // The generation every status was last written for; 0: write them again.
  uint64_t synced_generation_ = 0;
  uint64_t failed_generation_ = UINT64_MAX;
  int64_t flushes_since_failure_ = 0;
  // Statuses of the resync still to write (a newer Put removes its entry).
  absl::flat_hash_map<std::string, v1::MonitorStatus> resync_;
  // Changed statuses over a flush's budget, for the next (the latest wins).
  absl::flat_hash_map<std::string, v1::MonitorStatus> unsent_;
  std::vector<RefillFilter> filters_;
  // Until the first MarkContents: monitors that had results at Start().
  absl::flat_hash_set<std::string> before_start_;
  bool first_resync_ = true;
  uint64_t logged_dropped_ = 0;
  absl::Time last_log_ = absl::InfinitePast();
  bool warned_ = false;  // since the last time nothing was stale
  std::thread thread_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_CACHE_WRITER_H_
