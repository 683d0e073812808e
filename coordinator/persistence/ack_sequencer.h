// AckSequencer: runs Persistence's `on_durable` callbacks (agents' Acks) in
// the order their batches were enqueued, although the result writers make
// batches durable out of order.
//
// A batch registers its callback and gets a ticket; once a writer has made
// it durable it completes the ticket. A callback runs once its ticket and
// every earlier one are complete. Whoever completes the oldest outstanding
// ticket delivers, one thread at a time, with no lock held while callbacks
// run (a callback may enqueue again).
//
// Example:
//   AckSequencer acks;
//   uint64_t a = acks.Register(ack_first);
//   uint64_t b = acks.Register(ack_second);
//   acks.Complete({&b, 1});  // nothing runs: `a` is not durable yet
//   acks.Complete({&a, 1});  // ack_first, then ack_second
//
// Thread-safety: thread-safe.
#ifndef UPTIME_COORDINATOR_PERSISTENCE_ACK_SEQUENCER_H_
#define UPTIME_COORDINATOR_PERSISTENCE_ACK_SEQUENCER_H_

#include <cstdint>
#include <deque>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace uptime::coordinator {

class AckSequencer {
 public:
  // Returns the callback's ticket, the next in registration order. `fn` may
  // be empty (nothing to call, but later tickets still wait for it).
  uint64_t Register(std::function<void()> fn);

  // Marks `tickets` complete and runs every callback now due, in ticket
  // order, on this thread or on the thread already delivering.
  void Complete(absl::Span<const uint64_t> tickets);

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

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_ACK_SEQUENCER_H_
