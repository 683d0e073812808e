// Persistence: makes what the coordinator decides durable, off the hot path.
//
// Counted results arrive in batches, each with the agent sequence it acks;
// one writer thread turns queued batches into one ResultStore::WriteBatch
// (raw rows + minute buckets + agent sequences, one transaction) and only
// then runs their `on_durable` callbacks, which send the agents' Acks. The
// same thread opens and closes incidents in order, snapshots changed
// statuses to PostgreSQL, and mirrors statuses and recent history to Redis.
//
// While PostgreSQL is unreachable the writer retries with backoff, checking
// and state go on, and the queue fills up to `max_queued_results`; past that
// TryReserve() refuses, and the agent keeps the batch and resends it later.
// Redis failures never block PostgreSQL writes: Redis is repopulated when it
// comes back. Thread-safe.
#ifndef UPTIME_COORDINATOR_PERSISTENCE_H_
#define UPTIME_COORDINATOR_PERSISTENCE_H_

#include <deque>
#include <map>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "coordinator/result_sink.h"
#include "coordinator/status_tracker.h"
#include "store/incident_store.h"
#include "store/result_store.h"
#include "store/status_cache.h"

namespace uptime::coordinator {

// Builds the alert outbox rows an incident change needs (one per channel of
// the monitor and alert kind), written in the incident's transaction.
using OutboxBuilder = std::function<std::vector<store::OutboxRow>(
    const v1::Incident& incident, const v1::Monitor& monitor, bool recovered)>;

struct PersistenceOptions {
  size_t max_queued_results = 500'000;
  size_t max_batch_results = 5'000;
  absl::Duration flush_interval = absl::Milliseconds(20);
  absl::Duration state_interval = absl::Seconds(1);
  absl::Duration maintenance_interval = absl::Minutes(5);
  int raw_retention_days = 30;
  int minute_retention_days = 14;
};

class Persistence : public IncidentSink, public ResultSink {
 public:
  // `cache` may be null (no Redis). All pointers must outlive this object.
  Persistence(Clock* clock, PersistenceOptions options, store::ResultStore* results,
              store::IncidentStore* incidents, store::StatusCache* cache, StatusTracker* tracker,
              MetricsRegistry* metrics);
  ~Persistence() override;

  void Start();
  // Stops the writer after one last attempt to flush what is queued.
  void Stop();

  bool TryReserve(size_t n) override;
  void Enqueue(size_t reserved, std::vector<v1::CheckResult> results, store::AgentSequence ack,
               std::function<void()> on_durable) override;

  // Set before Start(); without it incidents carry no alerts.
  void SetOutboxBuilder(OutboxBuilder builder) { outbox_builder_ = std::move(builder); }

  void IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) override;
  void IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) override;

  size_t queued_results() const;

 private:
  struct Batch {
    size_t reserved = 0;
    std::vector<v1::CheckResult> results;
    store::AgentSequence ack;
    std::function<void()> on_durable;
  };
  struct IncidentOp {
    v1::Incident incident;  // open when `resolved` is unset
    std::optional<absl::Time> resolved;
    std::vector<store::OutboxRow> outbox;
  };

  void Run();
  // One pass: incidents, results, states, Redis. False when PostgreSQL failed.
  bool FlushOnce();
  bool WriteIncidents();
  bool WriteResults();
  void WriteStates();
  void Maintain();

  Clock* const clock_;
  const PersistenceOptions options_;
  store::ResultStore* const results_;
  store::IncidentStore* const incidents_;
  store::StatusCache* const cache_;
  StatusTracker* const tracker_;
  OutboxBuilder outbox_builder_;
  Counter* const written_;
  Counter* const write_failures_;
  Counter* const refused_;

  mutable absl::Mutex mu_;
  std::deque<Batch> queue_ ABSL_GUARDED_BY(mu_);
  size_t reserved_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<IncidentOp> incident_ops_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  // Writer thread only.
  std::map<std::string, v1::MonitorStatus> pending_states_;
  uint64_t cache_generation_ = 0;
  absl::Time next_state_save_ = absl::InfinitePast();
  absl::Time next_maintenance_ = absl::InfinitePast();
  std::thread thread_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_H_
