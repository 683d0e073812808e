#include "coordinator/persistence/persistence.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "coordinator/persistence/housekeeping.h"
#include "coordinator/persistence/redis_mirror.h"

namespace uptime::coordinator {
namespace {

// Retry pace while PostgreSQL fails, for the result writers and the
// ordered thread alike.
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);

}  // namespace

Persistence::Persistence(Clock* clock, PersistenceOptions options, store::ResultStore* results,
                         store::IncidentStore* incidents, store::StatusCache* cache,
                         StatusTracker* tracker, MetricsRegistry* metrics)
    : clock_(clock),
      options_(options),
      results_(results),
      written_(metrics->AddCounter("uptime_coordinator_results_persisted_total",
                                   "Results made durable in PostgreSQL")),
      write_failures_(metrics->AddCounter("uptime_coordinator_store_write_failures_total",
                                          "Failed PostgreSQL writes (retried)")),
      refused_(metrics->AddCounter("uptime_coordinator_batches_refused_total",
                                   "Agent batches refused because the write queue was full")),
      states_saved_(metrics->AddCounter("uptime_coordinator_state_snapshots_total",
                                        "Monitor status snapshots written to PostgreSQL")),
      incident_writer_(incidents, tracker),
      backoff_(kFirstBackoff),
      ordered_(clock, "persistence-ordered", [this](absl::Time now) { return OrderedPass(now); }) {
  metrics->AddCallbackGauge("uptime_coordinator_write_queue_results",
                            "Counted results waiting to be written to PostgreSQL",
                            [this] { return static_cast<double>(queued_results()); });
  if (cache != nullptr) {
    cache_writer_ = NewRedisMirror(clock, cache, options_.cache, tracker, results, metrics);
  }
  const ResultWriterOptions writer_options{.max_batch_results = options_.max_batch_results,
                                           .flush_interval = options_.flush_interval,
                                           .first_backoff = kFirstBackoff,
                                           .max_backoff = kMaxBackoff};
  for (int i = 0; i < std::max(1, options_.result_writers); ++i) {
    writers_.push_back(std::make_unique<ResultWriter>(
        writer_options, results,
        ResultWriterSinks{.acks = &acks_,
                          .cache = cache_writer_.get(),
                          .written = written_,
                          .write_failures = write_failures_,
                          .release = [this](size_t reserved) {
                            absl::MutexLock lock(&mu_);
                            reserved_ -= reserved;
                          }}));
  }
  snapshots_ = std::make_unique<SnapshotWriter>(clock, options_.state_refresh_interval, incidents,
                                                tracker, cache_writer_.get(), states_saved_);
}

Persistence::~Persistence() { Stop(); }

void Persistence::Start() {
  if (cache_writer_ != nullptr) cache_writer_->Start();
  for (auto& w : writers_) w->Start();
  started_ = true;
  ordered_.Start();
}

void Persistence::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  // All told first, so their last attempts run side by side.
  for (auto& w : writers_) w->RequestStop();
  for (auto& w : writers_) w->Join();
  ordered_.Stop();
  if (started_) FlushOrdered();  // a last attempt on shutdown
  // Last: it sends what the writers made durable on their way out.
  if (cache_writer_ != nullptr) cache_writer_->Stop();
}

bool Persistence::TryReserve(size_t n) {
  absl::MutexLock lock(&mu_);
  if (reserved_ + n > options_.max_queued_results) {
    refused_->Increment();
    return false;
  }
  reserved_ += n;
  return true;
}

void Persistence::Enqueue(size_t reserved, std::vector<v1::CheckResult> results,
                          store::AgentSequence ack, std::function<void()> on_durable) {
  if (results.empty() && ack.agent_id.empty()) {
    // A reservation given back: nothing to write, but a callback still
    // waits for the batches before it.
    {
      absl::MutexLock lock(&mu_);
      reserved_ -= reserved;
    }
    const uint64_t ticket = acks_.Register(std::move(on_durable));
    acks_.Complete({&ticket, 1});
    return;
  }
  // The same agent always lands on the same writer: its batches stay in
  // order, and the sequence recorded for it only covers durable batches.
  const size_t index = absl::HashOf(ack.agent_id) % writers_.size();
  writers_[index]->Enqueue(reserved, std::move(results), std::move(ack), std::move(on_durable));
}

void Persistence::RecordIncident(const v1::Incident& incident, bool resolved,
                                 std::vector<store::OutboxRow> outbox) {
  incident_writer_.Record(incident, resolved, std::move(outbox));
  ordered_.Kick();
}

size_t Persistence::queued_results() const {
  absl::MutexLock lock(&mu_);
  return reserved_;
}

PersistenceStats Persistence::stats() const {
  PersistenceStats stats;
  for (const auto& w : writers_) stats.results_per_writer.push_back(w->written());
  if (cache_writer_ != nullptr) stats.cache = cache_writer_->stats();
  stats.states_saved = states_saved_->value();
  return stats;
}

absl::Time Persistence::OrderedPass(absl::Time now) {
  // PostgreSQL was down: new work waits for the retry, slower each time.
  if (now < retry_at_) return retry_at_;
  if (FlushOrdered()) {
    backoff_ = kFirstBackoff;
    return now + options_.flush_interval;
  }
  write_failures_->Increment();
  retry_at_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  return retry_at_;
}

bool Persistence::FlushOrdered() {
  if (!incident_writer_.WritePending()) return false;
  const absl::Time now = clock_->Now();
  if (now >= next_state_save_) {
    snapshots_->Write();
    next_state_save_ = now + options_.state_interval;
  }
  if (now >= next_housekeeping_) {
    Housekeep(results_, clock_->Now(), options_.raw_retention_days,
              options_.minute_retention_days);
    next_housekeeping_ = now + options_.housekeeping_interval;
  }
  return true;
}

}  // namespace uptime::coordinator
