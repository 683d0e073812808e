// ResultWriter: one of Persistence's result writer threads, with its queue.
//
// Persistence pins each agent to one writer, so an agent's batches are
// written in the order they came. The writer takes what is queued (up to
// `max_batch_results` rows, at least one batch) into one
// ResultStore::WriteBatch (raw rows + minute buckets + agent sequences, one
// transaction) and only after it is durable: gives the reserved room back,
// completes the batches' tickets (the AckSequencer runs the Acks in Enqueue
// order across writers) and hands the rows to the Redis mirror. While
// PostgreSQL fails it retries the same batch with backoff; its queue is
// bounded by Persistence::TryReserve, not here.
//
// Thread-safety: Enqueue and written() from any thread; Start, RequestStop
// and Join from the owner.
#ifndef UPTIME_COORDINATOR_PERSISTENCE_RESULT_WRITER_H_
#define UPTIME_COORDINATOR_PERSISTENCE_RESULT_WRITER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "coordinator/persistence/ack_sequencer.h"
#include "store/cache_writer.h"
#include "store/result_store.h"

namespace uptime::coordinator {

struct ResultWriterOptions {
  size_t max_batch_results = 10'000;
  // How long an idle writer waits for work before it looks again.
  absl::Duration flush_interval = absl::Milliseconds(20);
  // Retry pace while PostgreSQL fails: doubling from first to max.
  absl::Duration first_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
};

// Where a writer reports to; every pointer must outlive the writer.
struct ResultWriterSinks {
  AckSequencer* acks = nullptr;
  store::CacheWriter* cache = nullptr;  // null without Redis
  Counter* written = nullptr;           // rows made durable
  Counter* write_failures = nullptr;    // failed WriteBatch calls
  // Gives back room reserved for rows now durable.
  std::function<void(size_t reserved)> release;
};

class ResultWriter {
 public:
  ResultWriter(ResultWriterOptions options, store::ResultStore* results, ResultWriterSinks sinks);
  // RequestStop()s and Join()s.
  ~ResultWriter();
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  void Start();
  // The thread makes one last attempt to write what is queued, then ends.
  void RequestStop();
  // Waits for the thread (a no-op when it never started).
  void Join();

  // Queues a batch; `on_durable` runs (through the AckSequencer) once it and
  // every batch enqueued before it, on any writer, are durable.
  void Enqueue(size_t reserved, std::vector<v1::CheckResult> results, store::AgentSequence ack,
               std::function<void()> on_durable);

  // Rows this writer made durable.
  uint64_t written() const { return written_.load(); }

 private:
  struct Batch {
    uint64_t ticket = 0;  // position in Enqueue() order, for the callbacks
    size_t reserved = 0;
    std::vector<v1::CheckResult> results;
    store::AgentSequence ack;
  };
  // What the writer took from its queue, kept until it is durable.
  struct InFlight {
    std::vector<v1::CheckResult> rows;
    std::vector<store::AgentSequence> acks;  // the latest per agent incarnation
    std::vector<uint64_t> tickets;
    size_t reserved = 0;
    bool empty() const { return tickets.empty(); }
  };

  void Run();
  // Moves queued batches (at least one, up to max_batch_results rows) out.
  void Take(std::vector<Batch>& out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Joins taken batches into one write (outside the lock).
  static void Assemble(std::vector<Batch>& taken, InFlight& out);
  // After `done` is durable: releases its room, acks, feeds Redis.
  void Finish(InFlight& done, uint64_t cache_ticket);

  const ResultWriterOptions options_;
  store::ResultStore* const results_;
  const ResultWriterSinks sinks_;

  absl::Mutex mu_;
  std::deque<Batch> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> written_{0};
  std::thread thread_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_RESULT_WRITER_H_
