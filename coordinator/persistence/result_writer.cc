#include "coordinator/persistence/result_writer.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {

ResultWriter::ResultWriter(ResultWriterOptions options, store::ResultStore* results,
                           ResultWriterSinks sinks)
    : options_(options), results_(results), sinks_(std::move(sinks)) {}

ResultWriter::~ResultWriter() {
  RequestStop();
  Join();
}

void ResultWriter::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ResultWriter::RequestStop() {
  absl::MutexLock lock(&mu_);
  stop_ = true;
}

void ResultWriter::Join() {
  if (thread_.joinable()) thread_.join();
}

void ResultWriter::Enqueue(size_t reserved, std::vector<v1::CheckResult> results,
                           store::AgentSequence ack, std::function<void()> on_durable) {
  absl::MutexLock lock(&mu_);
  // Ticket taken under the queue's lock, so the queue is in ticket order.
  const uint64_t ticket = sinks_.acks->Register(std::move(on_durable));
  queue_.push_back({ticket, reserved, std::move(results), std::move(ack)});
}

void ResultWriter::Run() {
  absl::Duration backoff = options_.first_backoff;
  InFlight batch;
  while (true) {
    std::vector<Batch> taken;
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      if (batch.empty()) {
        auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_ || !queue_.empty(); };
        mu_.AwaitWithTimeout(absl::Condition(&ready), options_.flush_interval);
        Take(taken);
      }
      stopping = stop_;
    }
    if (!taken.empty()) Assemble(taken, batch);
    if (batch.empty()) {
      if (stopping) return;
      continue;
    }
    // Taken before the write: a Redis refill reading PostgreSQL meanwhile
    // may see these rows, and the cache writer then skips them.
    const uint64_t cache_ticket = sinks_.cache != nullptr ? sinks_.cache->BeginAppend() : 0;
    if (absl::Status s = results_->WriteBatch(batch.rows, batch.acks); s.ok()) {
      Finish(batch, cache_ticket);
      batch = InFlight();
      backoff = options_.first_backoff;
      continue;
    } else {
      if (sinks_.cache != nullptr) sinks_.cache->CancelAppend(cache_ticket);
      sinks_.write_failures->Increment();
      spdlog::warn("writing {} results failed, will retry: {}", batch.rows.size(), s.message());
    }
    // That was the last attempt: agents resend what was never acked.
    if (stopping) return;
    // PostgreSQL is down: retry the same batch, slower each time, while the
    // queue (bounded by TryReserve) takes what keeps coming.
    absl::MutexLock lock(&mu_);
    auto stopped = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopped), backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

void ResultWriter::Take(std::vector<Batch>& out) {
  size_t rows = 0;
  while (!queue_.empty()) {
    Batch& b = queue_.front();
    if (!out.empty() && rows + b.results.size() > options_.max_batch_results) break;
    rows += b.results.size();
    out.push_back(std::move(b));
    queue_.pop_front();
  }
}

void ResultWriter::Assemble(std::vector<Batch>& taken, InFlight& out) {
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

void ResultWriter::Finish(InFlight& done, uint64_t cache_ticket) {
  sinks_.written->Increment(done.rows.size());
  written_.fetch_add(done.rows.size(), std::memory_order_relaxed);
  sinks_.release(done.reserved);
  sinks_.acks->Complete(done.tickets);
  if (sinks_.cache != nullptr) sinks_.cache->AppendHistory(cache_ticket, std::move(done.rows));
}

}  // namespace uptime::coordinator
