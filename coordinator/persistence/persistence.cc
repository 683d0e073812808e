#include "coordinator/persistence/persistence.h"

#include <algorithm>
#include <iterator>

#include "absl/hash/hash.h"
#include "spdlog/spdlog.h"
#include "common/logging.h"
#include "common/proto_time.h"

namespace uptime::coordinator {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);
// Snapshot rows per SaveStates call: one statement's arrays stay a few MB.
constexpr size_t kStatesPerSave = 10'000;

}  // namespace

// Runs `on_durable` callbacks in ticket (Enqueue) order although writers
// finish out of order: a callback runs once its batch and every earlier one
// are durable. Whoever completes the oldest outstanding batch delivers, one
// thread at a time, with no lock held while callbacks run.
class Persistence::AckSequencer {
 public:
  uint64_t Register(std::function<void()> fn) {
    absl::MutexLock lock(&mu_);
    slots_.push_back({std::move(fn), false});
    return base_ + slots_.size() - 1;
  }

  void Complete(absl::Span<const uint64_t> tickets) {
    std::vector<std::function<void()>> ready;
    mu_.Lock();
    for (uint64_t t : tickets) slots_[t - base_].done = true;
    if (delivering_) {  // the thread delivering will see these too
      mu_.Unlock();
      return;
    }
    delivering_ = true;
    while (true) {
      while (!slots_.empty() && slots_.front().done) {
        ready.push_back(std::move(slots_.front().fn));
        slots_.pop_front();
        ++base_;
      }
      if (ready.empty()) break;
      mu_.Unlock();
      for (auto& fn : ready) {
        if (fn) fn();
      }
      ready.clear();
      mu_.Lock();
    }
    delivering_ = false;
    mu_.Unlock();
  }

 private:
  struct Slot {
    std::function<void()> fn;
    bool done;
  };
  absl::Mutex mu_;
  uint64_t base_ ABSL_GUARDED_BY(mu_) = 0;  // ticket of slots_.front()
  std::deque<Slot> slots_ ABSL_GUARDED_BY(mu_);
  bool delivering_ ABSL_GUARDED_BY(mu_) = false;
};

Persistence::Persistence(Clock* clock, PersistenceOptions options, store::ResultStore* results,
                         store::IncidentStore* incidents, store::StatusCache* cache,
                         StatusTracker* tracker, MetricsRegistry* metrics)
    : clock_(clock),
      options_(options),
      results_(results),
      incidents_(incidents),
      tracker_(tracker),
      written_(metrics->AddCounter("uptime_coordinator_results_persisted_total",
                                   "Results made durable in PostgreSQL")),
      write_failures_(metrics->AddCounter("uptime_coordinator_store_write_failures_total",
                                          "Failed PostgreSQL writes (retried)")),
      refused_(metrics->AddCounter("uptime_coordinator_batches_refused_total",
                                   "Agent batches refused because the write queue was full")),
      states_saved_(metrics->AddCounter("uptime_coordinator_state_snapshots_total",
                                        "Monitor status snapshots written to PostgreSQL")),
      acks_(std::make_unique<AckSequencer>()),
      backoff_(kFirstBackoff),
      ordered_(clock, "persistence-ordered", [this](absl::Time now) { return OrderedPass(now); }) {
  for (int i = 0; i < std::max(1, options_.result_writers); ++i) {
    writers_.push_back(std::make_unique<Writer>());
  }
  if (cache != nullptr) {
    cache_writer_ = std::make_unique<store::CacheWriter>(
        cache, [tracker] { return tracker->All(); },
        [this](const std::string& id, int limit) { return NewestResults(id, limit); },
        options_.cache, clock);
  }
  metrics->AddCallbackGauge("uptime_coordinator_write_queue_results",
                            "Counted results waiting to be written to PostgreSQL",
                            [this] { return static_cast<double>(queued_results()); });
  if (cache_writer_ != nullptr) {
    // Counters read through callbacks (the registry has no callback
    // counter): they only grow.
    metrics->AddCallbackGauge(
        "uptime_cache_history_dropped_total",
        "Durable results not appended to their Redis history (Redis down, or slower than the "
        "writer's bound); their monitors are refilled from PostgreSQL",
        [this] { return static_cast<double>(cache_writer_->stats().results_dropped); });
    metrics->AddCallbackGauge(
        "uptime_cache_history_refilled_total",
        "Monitors whose Redis history was refilled from PostgreSQL",
        [this] { return static_cast<double>(cache_writer_->stats().monitors_refilled); });
    metrics->AddCallbackGauge(
        "uptime_cache_writer_backlog", "Durable results waiting to be appended to Redis history",
        [this] { return static_cast<double>(cache_writer_->stats().backlog); });
    metrics->AddCallbackGauge(
        "uptime_cache_history_stale_monitors",
        "Monitors whose Redis history misses results, waiting to be refilled from PostgreSQL",
        [this] { return static_cast<double>(cache_writer_->stats().stale_monitors); });
  }
}

Persistence::~Persistence() { Stop(); }

void Persistence::Start() {
  if (cache_writer_ != nullptr) cache_writer_->Start();
  for (auto& w : writers_) {
    Writer* writer = w.get();
    w->thread = std::thread([this, writer] { RunWriter(*writer); });
  }
  started_ = true;
  ordered_.Start();
}

void Persistence::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  for (auto& w : writers_) {
    absl::MutexLock lock(&w->mu);
    w->stop = true;
  }
  for (auto& w : writers_) {
    if (w->thread.joinable()) w->thread.join();
  }
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
    const uint64_t ticket = acks_->Register(std::move(on_durable));
    acks_->Complete({&ticket, 1});
    return;
  }
  // The same agent always lands on the same writer: its batches stay in
  // order, and the sequence recorded for it only covers durable batches.
  const size_t index = absl::HashOf(ack.agent_id) % writers_.size();
  Writer& w = *writers_[index];
  absl::MutexLock lock(&w.mu);
  // Ticket taken under the writer's lock, so each queue is in ticket order.
  const uint64_t ticket = acks_->Register(std::move(on_durable));
  w.queue.push_back({ticket, reserved, std::move(results), std::move(ack)});
}

void Persistence::RecordIncident(const v1::Incident& incident, bool resolved,
                                 std::vector<store::OutboxRow> outbox) {
  std::optional<absl::Time> resolved_at;
  if (resolved) resolved_at = FromProto(incident.resolved());
  absl::MutexLock lock(&mu_);
  incident_ops_.push_back({incident, resolved_at, std::move(outbox)});
  ordered_.Kick();
}

size_t Persistence::queued_results() const {
  absl::MutexLock lock(&mu_);
  return reserved_;
}

PersistenceStats Persistence::stats() const {
  PersistenceStats stats;
  for (const auto& w : writers_) stats.results_per_writer.push_back(w->written.load());
  if (cache_writer_ != nullptr) stats.cache = cache_writer_->stats();
  stats.states_saved = states_saved_->value();
  return stats;
}

// ---- Result writers ----

void Persistence::RunWriter(Writer& w) {
  absl::Duration backoff = kFirstBackoff;
  InFlight batch;
  while (true) {
    std::vector<Batch> taken;
    bool stopping;
    {
      absl::MutexLock lock(&w.mu);
      if (batch.empty()) {
        auto ready = [&w]() ABSL_SHARED_LOCKS_REQUIRED(w.mu) { return w.stop || !w.queue.empty(); };
        w.mu.AwaitWithTimeout(absl::Condition(&ready), options_.flush_interval);
        Take(w, taken);
      }
      stopping = w.stop;
    }
    if (!taken.empty()) Assemble(taken, batch);
    if (batch.empty()) {
      if (stopping) return;
      continue;
    }
    // Taken before the write: a Redis refill reading PostgreSQL meanwhile
    // may see these rows, and the cache writer then skips them.
    const uint64_t cache_ticket = cache_writer_ != nullptr ? cache_writer_->BeginAppend() : 0;
    if (absl::Status s = results_->WriteBatch(batch.rows, batch.acks); s.ok()) {
      Finish(w, batch, cache_ticket);
      batch = InFlight();
      backoff = kFirstBackoff;
      continue;
    } else {
      if (cache_writer_ != nullptr) cache_writer_->CancelAppend(cache_ticket);
      write_failures_->Increment();
      spdlog::warn("writing {} results failed, will retry: {}", batch.rows.size(), s.message());
    }
    // That was the last attempt: agents resend what was never acked.
    if (stopping) return;
    // PostgreSQL is down: retry the same batch, slower each time, while the
    // queue (bounded by TryReserve) takes what keeps coming.
    absl::MutexLock lock(&w.mu);
    auto stopped = [&w]() ABSL_SHARED_LOCKS_REQUIRED(w.mu) { return w.stop; };
    w.mu.AwaitWithTimeout(absl::Condition(&stopped), backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

void Persistence::Take(Writer& w, std::vector<Batch>& out) {
  size_t rows = 0;
  while (!w.queue.empty()) {
    Batch& b = w.queue.front();
    if (!out.empty() && rows + b.results.size() > options_.max_batch_results) break;
    rows += b.results.size();
    out.push_back(std::move(b));
    w.queue.pop_front();
  }
}

void Persistence::Assemble(std::vector<Batch>& taken, InFlight& out) {
  size_t rows = 0;
  for (const Batch& b : taken) rows += b.results.size();
  out.rows.reserve(rows);
  for (Batch& b : taken) {
    // Moving a message swaps its fields: no per-result allocation.
    out.rows.insert(out.rows.end(), std::make_move_iterator(b.results.begin()),
                    std::make_move_iterator(b.results.end()));
    out.tickets.push_back(b.ticket);
    out.reserved += b.reserved;
    if (b.ack.agent_id.empty()) continue;
    // A later batch of the same agent incarnation supersedes its ack.
    auto same = std::find_if(out.acks.begin(), out.acks.end(), [&](const store::AgentSequence& a) {
      return a.agent_id == b.ack.agent_id && a.incarnation == b.ack.incarnation;
    });
    if (same != out.acks.end()) {
      *same = std::move(b.ack);
    } else {
      out.acks.push_back(std::move(b.ack));
    }
  }
}

void Persistence::Finish(Writer& w, InFlight& done, uint64_t cache_ticket) {
  written_->Increment(done.rows.size());
  w.written.fetch_add(done.rows.size(), std::memory_order_relaxed);
  {
    absl::MutexLock lock(&mu_);
    reserved_ -= done.reserved;
  }
  acks_->Complete(done.tickets);
  if (cache_writer_ != nullptr) cache_writer_->AppendHistory(cache_ticket, std::move(done.rows));
}

absl::StatusOr<std::vector<v1::CheckResult>> Persistence::NewestResults(
    const std::string& monitor_id, int limit) {
  // A deleted monitor's history stays deleted.
  if (absl::Status s = tracker_->Get(monitor_id).status(); !s.ok()) return s;
  std::vector<v1::CheckResult> out;
  store::ResultQuery query{.monitor_id = monitor_id, .page_size = limit};
  while (static_cast<int>(out.size()) < limit) {
    query.page_size = limit - static_cast<int>(out.size());
    absl::StatusOr<store::ResultPage> page = results_->ListResults(query);
    if (!page.ok()) return page.status();
    out.insert(out.end(), std::make_move_iterator(page->results.begin()),
               std::make_move_iterator(page->results.end()));
    if (page->next_page_token.empty()) break;
    query.page_token = std::move(page->next_page_token);
  }
  return out;
}

// ---- The ordered thread: incidents, state snapshots, housekeeping ----

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
  if (!WriteIncidents()) return false;
  const absl::Time now = clock_->Now();
  if (now >= next_state_save_) {
    WriteStates();
    next_state_save_ = now + options_.state_interval;
  }
  if (now >= next_housekeeping_) {
    Housekeep();
    next_housekeeping_ = now + options_.housekeeping_interval;
  }
  return true;
}

bool Persistence::WriteIncidents() {
  while (true) {
    IncidentOp op;
    {
      absl::MutexLock lock(&mu_);
      if (incident_ops_.empty()) return true;
      op = incident_ops_.front();
    }
    absl::Status status;
    if (op.resolved) {
      status = incidents_->CloseIncident(op.incident.id(), *op.resolved, op.outbox).status();
      if (absl::IsNotFound(status)) status = absl::OkStatus();  // never persisted: nothing to close
    } else {
      absl::StatusOr<store::OpenedIncident> opened = incidents_->OpenIncident(op.incident, op.outbox);
      status = opened.status();
      if (opened.ok() && !opened->created && opened->incident.id() != op.incident.id()) {
        // Opened before a restart and not closed: keep that one, not a twin.
        tracker_->AdoptIncident(op.incident.monitor_id(), op.incident.id(), opened->incident.id());
      }
    }
    if (!status.ok()) {
      spdlog::warn("incident {} not persisted yet: {}", op.incident.id(), status.message());
      return false;
    }
    absl::MutexLock lock(&mu_);
    incident_ops_.pop_front();
  }
}

Persistence::Restorable Persistence::RestorableOf(const v1::MonitorStatus& s) {
  return {s.state(), s.since().seconds(), s.since().nanos(), s.open_incident_id()};
}

void Persistence::WriteStates() {
  const absl::Time now = clock_->Now();
  std::vector<v1::MonitorStatus> dirty = tracker_->TakeDirty();
  // What a new leader would restore differently is saved now; the rest
  // (counters, the latest result) joins a refresh due within
  // state_refresh_interval, so a monitor costs at most one row per interval
  // however many results it gets.
  for (const v1::MonitorStatus& s : dirty) {
    auto saved = saved_.find(s.monitor_id());
    if (saved == saved_.end() || !(saved->second == RestorableOf(s)) ||
        unsaved_.contains(s.monitor_id())) {
      unsaved_.insert_or_assign(s.monitor_id(), s);
      deferred_.erase(s.monitor_id());
    } else {
      deferred_.try_emplace(s.monitor_id(), now + options_.state_refresh_interval);
    }
  }
  std::vector<std::string> due;
  for (const auto& [id, when] : deferred_) {
    if (when <= now) due.push_back(id);
  }
  for (const std::string& id : due) {
    deferred_.erase(id);
    absl::StatusOr<v1::MonitorStatus> current = tracker_->Get(id);
    if (current.ok()) {
      unsaved_.insert_or_assign(id, *std::move(current));
    } else {
      saved_.erase(id);  // the monitor is gone
    }
  }
  // Redis gets every change: it is the live view, and cheap to write.
  if (cache_writer_ != nullptr) cache_writer_->Put(std::move(dirty));

  while (!unsaved_.empty()) {
    std::vector<v1::MonitorStatus> batch;
    batch.reserve(std::min(unsaved_.size(), kStatesPerSave));
    for (auto it = unsaved_.begin(); it != unsaved_.end() && batch.size() < kStatesPerSave; ++it) {
      batch.push_back(it->second);
    }
    if (absl::Status s = incidents_->SaveStates(batch); !s.ok()) {
      spdlog::warn("saving {} states failed, will retry: {}", unsaved_.size(), s.message());
      return;  // kept in unsaved_, the newest version winning
    }
    states_saved_->Increment(batch.size());
    for (const v1::MonitorStatus& s : batch) {
      saved_.insert_or_assign(s.monitor_id(), RestorableOf(s));
      unsaved_.erase(s.monitor_id());
    }
  }
}

void Persistence::Housekeep() {
  const absl::Time now = clock_->Now();
  if (absl::Status s = results_->RollUpHours(now); !s.ok()) {
    spdlog::warn("hourly roll-up failed: {}", s.message());
  }
  if (absl::Status s = results_->ApplyRetention(now, options_.raw_retention_days,
                                                options_.minute_retention_days);
      !s.ok()) {
    spdlog::warn("retention failed: {}", s.message());
  }
}

}  // namespace uptime::coordinator
