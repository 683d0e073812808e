// WorkerPool: a fixed set of threads running tasks from a bounded queue.
//
// For work that may block (a PostgreSQL query) and must therefore stay off
// threads that others depend on (gRPC's callback threads): a slow task
// holds one worker, never the caller. When every worker is busy and the
// queue is full, TrySubmit() refuses instead of growing memory, so the
// caller can answer "busy" at once.
//
// Example:
//   WorkerPool pool({.threads = 4, .max_queued = 256, .name = "reads"});
//   if (!pool.TrySubmit([=] { reactor->Finish(Query()); })) return Busy();
//
// Thread-safety: thread-safe. The destructor Stop()s.
#ifndef UPTIME_COMMON_WORKER_POOL_H_
#define UPTIME_COMMON_WORKER_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace uptime {

struct WorkerPoolOptions {
  int threads = 4;
  // Tasks waiting for a worker at most; past it TrySubmit() refuses.
  size_t max_queued = 256;
};

class WorkerPool {
 public:
  explicit WorkerPool(WorkerPoolOptions options);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and `task` dropped unrun) when the queue is full
  // or the pool is stopped.
  bool TrySubmit(std::function<void()> task);

  // Runs what is queued, then joins the workers. Later submissions are
  // refused. Idempotent; call from one thread.
  void Stop();

  size_t queued() const;

 private:
  void Run();
  bool ReadyLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const WorkerPoolOptions options_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace uptime

#endif  // UPTIME_COMMON_WORKER_POOL_H_
