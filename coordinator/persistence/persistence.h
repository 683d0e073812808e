// Persistence: makes what the coordinator decides durable, off the hot path.
//
// Three kinds of threads, so no kind of write waits for another:
//
//  - Result writers (`result_writers`, each on its own pooled PostgreSQL
//    connection). An agent is pinned to one writer (by a hash of its id), so
//    its batches are written in the order they came and the sequence
//    recorded for it in PostgreSQL only moves over durable batches. A writer
//    takes what is queued for it (up to `max_batch_results`) into one
//    ResultStore::WriteBatch (raw rows + minute buckets + agent sequences,
//    one transaction) and only then lets the batches' `on_durable` callbacks
//    (the agents' Acks) run, in the order Enqueue() was called: a callback
//    waits for every earlier batch, whichever writer holds it.
//  - The ordered thread: opens and closes incidents in the order they
//    happened, snapshots changed statuses to PostgreSQL, and runs the
//    roll-up and retention. A snapshot is written at once when what a new
//    leader restores changed (state, since, open incident); a change of only
//    counters or the latest result waits up to `state_refresh_interval`, as
//    every result changes them and a snapshot per monitor per second would
//    cost as much as the results themselves.
//  - The cache writer (store::CacheWriter): mirrors statuses (latest wins)
//    and durable results (recent history) to Redis, pipelined, on its own
//    thread. History it could not append (Redis down, or slower than its
//    bound) is counted (uptime_cache_history_dropped_total) and refilled
//    from PostgreSQL's newest results once Redis keeps up again.
//
// While PostgreSQL is unreachable the writers retry with backoff, checking
// and state go on, and the queues fill up to `max_queued_results` (counted
// in uptime_coordinator_write_queue_results); past that TryReserve()
// refuses, and the agent keeps the batch and resends it later. When
// PostgreSQL is back the queues drain. Redis failures never block
// PostgreSQL writes: Redis is repopulated when it comes back. Thread-safe.
//
// Persistence is the facade that wires the parts, each in its own file:
//   result_writer.h    ResultWriter: one result writer thread and its queue
//   ack_sequencer.h    AckSequencer: on_durable callbacks in Enqueue order
//   incident_writer.h  IncidentWriter: incidents and outbox rows, in order
//   snapshot_writer.h  SnapshotWriter: status snapshots (and their mirror)
//   redis_mirror.h     NewRedisMirror: the cache writer and its gauges
//   housekeeping.h     Housekeep: hourly roll-up and retention
// Persistence itself owns the room in the queues (TryReserve), the routing
// of agents to writers and the ordered thread's schedule and backoff.
#ifndef UPTIME_COORDINATOR_PERSISTENCE_PERSISTENCE_H_
#define UPTIME_COORDINATOR_PERSISTENCE_PERSISTENCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/periodic_runner.h"
#include "coordinator/health/incident_sink.h"
#include "coordinator/health/status_tracker.h"
#include "coordinator/ingest/result_sink.h"
#include "coordinator/persistence/ack_sequencer.h"
#include "coordinator/persistence/incident_writer.h"
#include "coordinator/persistence/result_writer.h"
#include "coordinator/persistence/snapshot_writer.h"
#include "store/cache_writer.h"
#include "store/incident_store.h"
#include "store/result_store.h"
#include "store/status_cache.h"

namespace uptime::coordinator {

struct PersistenceOptions {
  size_t max_queued_results = 500'000;
  // Results per WriteBatch: big enough that the per-transaction round trips
  // are a small share, small enough that a retry after a failure is cheap.
  size_t max_batch_results = 10'000;
  // Writer threads for results. Each holds a pooled connection while it
  // writes, so keep this below the pool's size (the other users are the
  // ordered thread and the read APIs).
  int result_writers = 2;
  absl::Duration flush_interval = absl::Milliseconds(20);
  absl::Duration state_interval = absl::Seconds(1);
  // The longest a status whose restorable part did not change waits before
  // its snapshot (counters, latest result) is refreshed.
  absl::Duration state_refresh_interval = absl::Seconds(30);
  absl::Duration housekeeping_interval = absl::Minutes(5);
  int raw_retention_days = 30;
  int minute_retention_days = 14;
  store::CacheWriterOptions cache = {};
};

// What the writers did, for benchmarks and tests.
struct PersistenceStats {
  std::vector<uint64_t> results_per_writer;  // made durable, by writer
  store::CacheWriterStats cache;             // the Redis mirror (zero without one)
  uint64_t states_saved = 0;                 // snapshot rows written
};

class Persistence : public IncidentRecorder, public ResultSink {
 public:
  // `cache` may be null (no Redis). All pointers must outlive this object.
  Persistence(Clock* clock, PersistenceOptions options, store::ResultStore* results,
              store::IncidentStore* incidents, store::StatusCache* cache, StatusTracker* tracker,
              MetricsRegistry* metrics);
  ~Persistence() override;

  void Start();
  // Stops every thread after one last attempt to write what is queued.
  void Stop();

  bool TryReserve(size_t n) override;
  void Enqueue(size_t reserved, std::vector<v1::CheckResult> results, store::AgentSequence ack,
               std::function<void()> on_durable) override;

  void RecordIncident(const v1::Incident& incident, bool resolved,
                      std::vector<store::OutboxRow> outbox) override;

  // Results reserved and not yet durable.
  size_t queued_results() const;
  PersistenceStats stats() const;

 private:
  // One pass of the ordered thread (a PeriodicRunner): every flush_interval,
  // at once when an incident arrives, backing off while PostgreSQL fails.
  absl::Time OrderedPass(absl::Time now);
  // One pass: incidents, states, housekeeping. False when PostgreSQL failed.
  bool FlushOrdered();

  Clock* const clock_;
  const PersistenceOptions options_;
  store::ResultStore* const results_;
  Counter* const written_;
  Counter* const write_failures_;
  Counter* const refused_;
  Counter* const states_saved_;

  mutable absl::Mutex mu_;
  size_t reserved_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  // In dependency order: the writers use the sequencer and the mirror.
  AckSequencer acks_;
  std::unique_ptr<store::CacheWriter> cache_writer_;  // null without a cache
  std::vector<std::unique_ptr<ResultWriter>> writers_;
  IncidentWriter incident_writer_;
  std::unique_ptr<SnapshotWriter> snapshots_;

  // Ordered thread only.
  absl::Time next_state_save_ = absl::InfinitePast();
  absl::Time next_housekeeping_ = absl::InfinitePast();
  bool started_ = false;  // Start() and Stop() come from one owner thread
  absl::Duration backoff_;
  absl::Time retry_at_ = absl::InfinitePast();
  PeriodicRunner ordered_;  // runs OrderedPass(); after the state it uses
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_PERSISTENCE_H_
