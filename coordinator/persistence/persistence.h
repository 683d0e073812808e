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
#ifndef UPTIME_COORDINATOR_PERSISTENCE_PERSISTENCE_H_
#define UPTIME_COORDINATOR_PERSISTENCE_PERSISTENCE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/periodic_runner.h"
#include "coordinator/ingest/result_sink.h"
#include "coordinator/health/incident_sink.h"
#include "coordinator/health/status_tracker.h"
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
  struct Batch {
    uint64_t ticket = 0;  // position in Enqueue() order, for the callbacks
    size_t reserved = 0;
    std::vector<v1::CheckResult> results;
    store::AgentSequence ack;
  };
  // One result writer: its queue and thread.
  struct Writer {
    absl::Mutex mu;
    std::deque<Batch> queue ABSL_GUARDED_BY(mu);
    bool stop ABSL_GUARDED_BY(mu) = false;
    std::atomic<uint64_t> written{0};
    std::thread thread;
  };
  // What a writer took from its queue, kept until it is durable.
  struct InFlight {
    std::vector<v1::CheckResult> rows;
    std::vector<store::AgentSequence> acks;  // the latest per agent incarnation
    std::vector<uint64_t> tickets;
    size_t reserved = 0;
    bool empty() const { return tickets.empty(); }
  };
  struct IncidentOp {
    v1::Incident incident;  // open when `resolved` is unset
    std::optional<absl::Time> resolved;
    std::vector<store::OutboxRow> outbox;
  };
  // What a new leader restores from a snapshot (StatusTracker::Restore).
  struct Restorable {
    v1::State state = v1::STATE_UNSPECIFIED;
    int64_t since_seconds = 0;
    int32_t since_nanos = 0;
    std::string open_incident_id;
    bool operator==(const Restorable&) const = default;
  };
  class AckSequencer;

  void RunWriter(Writer& writer);
  // Moves queued batches (at least one, up to max_batch_results rows) out.
  void Take(Writer& writer, std::vector<Batch>& out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer.mu);
  // Joins taken batches into one write (outside the writer's lock).
  static void Assemble(std::vector<Batch>& taken, InFlight& out);
  // After `done` is durable: releases its room, acks, feeds Redis.
  void Finish(Writer& writer, InFlight& done, uint64_t cache_ticket);
  // The newest results of a live monitor, for refilling its Redis history.
  absl::StatusOr<std::vector<v1::CheckResult>> NewestResults(const std::string& monitor_id,
                                                             int limit);

  // One pass of the ordered thread (a PeriodicRunner): every flush_interval,
  // at once when an incident arrives, backing off while PostgreSQL fails.
  absl::Time OrderedPass(absl::Time now);
  // One pass: incidents, states, housekeeping. False when PostgreSQL failed.
  bool FlushOrdered();
  bool WriteIncidents();
  void WriteStates();
  // Housekeeping: hourly roll-up and retention of old results.
  void Housekeep();
  static Restorable RestorableOf(const v1::MonitorStatus& s);

  Clock* const clock_;
  const PersistenceOptions options_;
  store::ResultStore* const results_;
  store::IncidentStore* const incidents_;
  StatusTracker* const tracker_;
  Counter* const written_;
  Counter* const write_failures_;
  Counter* const refused_;
  Counter* const states_saved_;

  mutable absl::Mutex mu_;
  size_t reserved_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<IncidentOp> incident_ops_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  std::vector<std::unique_ptr<Writer>> writers_;
  std::unique_ptr<AckSequencer> acks_;
  std::unique_ptr<store::CacheWriter> cache_writer_;  // null without a cache

  // Ordered thread only.
  // What PostgreSQL holds per monitor (a deleted monitor's entry lingers
  // until its next refresh finds it gone); refreshes due, by time; and
  // snapshots to write (kept when a write fails, the newest winning).
  absl::flat_hash_map<std::string, Restorable> saved_;
  absl::flat_hash_map<std::string, absl::Time> deferred_;
  absl::flat_hash_map<std::string, v1::MonitorStatus> unsaved_;
  absl::Time next_state_save_ = absl::InfinitePast();
  absl::Time next_housekeeping_ = absl::InfinitePast();
  bool started_ = false;  // Start() and Stop() come from one owner thread
  absl::Duration backoff_;
  absl::Time retry_at_ = absl::InfinitePast();
  PeriodicRunner ordered_;  // runs OrderedPass(); after the state it uses
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_PERSISTENCE_H_
