#include "coordinator/persistence.h"

#include <algorithm>

#include "spdlog/spdlog.h"
#include "common/logging.h"
#include "common/proto_time.h"

namespace uptime::coordinator {

Persistence::Persistence(Clock* clock, PersistenceOptions options, store::ResultStore* results,
                         store::IncidentStore* incidents, store::StatusCache* cache,
                         StatusTracker* tracker, MetricsRegistry* metrics)
    : clock_(clock),
      options_(options),
      results_(results),
      incidents_(incidents),
      cache_(cache),
      tracker_(tracker),
      written_(metrics->AddCounter("uptime_coordinator_results_persisted_total",
                                   "Results made durable in PostgreSQL")),
      write_failures_(metrics->AddCounter("uptime_coordinator_store_write_failures_total",
                                          "Failed PostgreSQL writes (retried)")),
      refused_(metrics->AddCounter("uptime_coordinator_batches_refused_total",
                                   "Agent batches refused because the write queue was full")) {
  metrics->AddCallbackGauge("uptime_coordinator_write_queue_results",
                            "Counted results waiting to be written to PostgreSQL",
                            [this] { return static_cast<double>(queued_results()); });
}

Persistence::~Persistence() { Stop(); }

void Persistence::Start() { thread_ = std::thread([this] { Run(); }); }

void Persistence::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
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
  absl::MutexLock lock(&mu_);
  queue_.push_back({reserved, std::move(results), std::move(ack), std::move(on_durable)});
}

void Persistence::IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) {
  std::vector<store::OutboxRow> rows;
  if (outbox_builder_) rows = outbox_builder_(incident, monitor, /*recovered=*/false);
  absl::MutexLock lock(&mu_);
  incident_ops_.push_back({incident, std::nullopt, std::move(rows)});
}

void Persistence::IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) {
  std::vector<store::OutboxRow> rows;
  if (outbox_builder_) rows = outbox_builder_(incident, monitor, /*recovered=*/true);
  absl::MutexLock lock(&mu_);
  incident_ops_.push_back({incident, FromProto(incident.resolved()), std::move(rows)});
}

size_t Persistence::queued_results() const {
  absl::MutexLock lock(&mu_);
  return reserved_;
}

void Persistence::Run() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stop_ || !queue_.empty() || !incident_ops_.empty();
      };
      mu_.AwaitWithTimeout(absl::Condition(&work), options_.flush_interval);
      if (stop_) break;
    }
    if (FlushOnce()) {
      backoff = absl::Milliseconds(100);
    } else {
      write_failures_->Increment();
      absl::SleepFor(backoff);  // PostgreSQL is down: retry, slower each time
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }
  }
  FlushOnce();  // a last attempt on shutdown; what fails is resent by agents
}

bool Persistence::FlushOnce() {
  // Incidents first: the results that caused them follow in the same pass.
  if (!WriteIncidents()) return false;
  if (!WriteResults()) return false;
  const absl::Time now = clock_->Now();
  if (now >= next_state_save_) {
    WriteStates();
    next_state_save_ = now + options_.state_interval;
  }
  if (now >= next_maintenance_) {
    Maintain();
    next_maintenance_ = now + options_.maintenance_interval;
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

bool Persistence::WriteResults() {
  while (true) {
    std::vector<v1::CheckResult> rows;
    std::vector<store::AgentSequence> acks;
    size_t batches = 0;
    {
      absl::MutexLock lock(&mu_);
      for (const Batch& b : queue_) {
        if (batches > 0 && rows.size() + b.results.size() > options_.max_batch_results) break;
        rows.insert(rows.end(), b.results.begin(), b.results.end());
        ++batches;
        if (b.ack.agent_id.empty()) continue;  // a released reservation
        // Later batches of the same agent supersede earlier acks.
        auto same = std::find_if(acks.begin(), acks.end(), [&](const store::AgentSequence& a) {
          return a.agent_id == b.ack.agent_id && a.incarnation == b.ack.incarnation;
        });
        if (same != acks.end()) *same = b.ack;
        else acks.push_back(b.ack);
      }
    }
    if (batches == 0) return true;
    if (absl::Status s = results_->WriteBatch(rows, acks); !s.ok()) {
      spdlog::warn("writing {} results failed, will retry: {}", rows.size(), s.message());
      return false;
    }
    written_->Increment(rows.size());
    std::vector<std::function<void()>> done;
    {
      absl::MutexLock lock(&mu_);
      for (size_t i = 0; i < batches; ++i) {
        reserved_ -= queue_.front().reserved;
        done.push_back(std::move(queue_.front().on_durable));
        queue_.pop_front();
      }
    }
    for (auto& fn : done) {
      if (fn) fn();
    }
    if (cache_ != nullptr) {
      if (absl::Status s = cache_->AppendHistory(rows); !s.ok()) {
        spdlog::debug("redis history not updated: {}", s.message());
      }
    }
  }
}

void Persistence::WriteStates() {
  // Keep what failed to save last time, the newest version winning.
  for (v1::MonitorStatus& s : tracker_->TakeDirty()) {
    std::string id = s.monitor_id();
    pending_states_[id] = std::move(s);
  }
  if (!pending_states_.empty()) {
    std::vector<v1::MonitorStatus> batch;
    batch.reserve(pending_states_.size());
    for (auto& [id, s] : pending_states_) batch.push_back(s);
    if (absl::Status s = incidents_->SaveStates(batch); s.ok()) {
      if (cache_ != nullptr && !cache_->Put(batch).ok()) cache_generation_ = 0;
      pending_states_.clear();
    } else {
      spdlog::warn("saving {} states failed, will retry: {}", pending_states_.size(), s.message());
    }
  }
  // Redis restarted (or never filled): write every status again.
  if (cache_ != nullptr && cache_->generation() != cache_generation_) {
    if (cache_->Put(tracker_->All()).ok()) cache_generation_ = cache_->generation();
  }
}

void Persistence::Maintain() {
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
