// ResultBuffer: turns a stream of check results into numbered batches and
// keeps every batch until the coordinator acknowledges it.
//
// Results are batched by size (`batch_size`) or age (`batch_delay` after the
// oldest pending result). Batch sequence numbers start at 1 and grow by one;
// a batch keeps its number for life, so after a reconnect the same batches
// are resent with the same numbers and the coordinator deduplicates them.
// Acks are cumulative. The buffer holds at most `max_results` results: when
// full, the oldest are dropped (whole batches first) and counted.
//
// Pure logic with times passed in; not thread-safe (the session locks it).
//
// Example:
//   ResultBuffer buf({.batch_size = 500});
//   buf.Add(std::move(results), now);
//   for (auto& msg : buf.TakeUnsent()) stream->Write(*msg);
//   buf.Ack(ack.sequence());
#ifndef UPTIME_AGENTS_SESSION_RESULT_BUFFER_H_
#define UPTIME_AGENTS_SESSION_RESULT_BUFFER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "uptime/v1/agent.pb.h"
#include "uptime/v1/result.pb.h"

namespace uptime::agent {

struct ResultBufferOptions {
  size_t batch_size = 500;
  absl::Duration batch_delay = absl::Milliseconds(100);
  size_t max_results = 100'000;
};

class ResultBuffer {
 public:
  // A batch ready to write: immutable and shared, so a writer can send it
  // without the lock while an ack removes it from the buffer.
  using Message = std::shared_ptr<const v1::AgentMessage>;

  explicit ResultBuffer(ResultBufferOptions options = {});

  // Appends results; full batches are formed at once.
  void Add(std::vector<v1::CheckResult> results, absl::Time now);
  // Forms a batch of the pending results if the oldest is `batch_delay` old,
  // or whatever their age when `force`.
  void Flush(absl::Time now, bool force);
  // When Flush() will next form a batch; nullopt when nothing is pending.
  std::optional<absl::Time> FlushDeadline() const;

  // Batches not yet handed out on the current stream, oldest first; they
  // count as sent from now on.
  std::vector<Message> TakeUnsent();
  bool HasUnsent() const { return sent_ < batches_.size(); }
  // A new stream: every unacked batch must be sent again.
  void RewindForResend() { sent_ = 0; }
  // Forgets batches with sequence <= `sequence`.
  void Ack(uint64_t sequence);

  // No pending results and no unacked batches.
  bool empty() const { return pending_.empty() && batches_.empty(); }
  size_t pending_results() const { return pending_.size(); }
  size_t unacked_batches() const { return batches_.size(); }
  size_t buffered_results() const { return total_; }
  int64_t dropped_results() const { return dropped_; }
  uint64_t last_sequence() const { return next_sequence_ - 1; }
  uint64_t acked_sequence() const { return acked_; }

 private:
  struct Batch {
    uint64_t sequence;
    size_t size;
    Message message;
  };

  // Moves pending_[start, start + count) into a new batch; the caller
  // erases them from pending_.
  void FormBatch(size_t start, size_t count);
  void DropOldestIfFull();

  const ResultBufferOptions options_;
  std::vector<v1::CheckResult> pending_;
  absl::Time oldest_pending_;
  std::deque<Batch> batches_;  // unacked, by sequence
  size_t sent_ = 0;            // batches_[0, sent_) were handed out on this stream
  size_t total_ = 0;           // results in pending_ and batches_
  uint64_t next_sequence_ = 1;
  uint64_t acked_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_SESSION_RESULT_BUFFER_H_
