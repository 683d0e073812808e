// A one-shot "stop now" for long-running commands (`uptimectl watch`): set
// by SIGINT/SIGTERM in the real binary, by the test in cli_test. Whoever
// blocks registers how to interrupt itself (cancel a gRPC call); waits for a
// backoff end early.
//
// Thread-safe. Stop() may come from any thread, but not from a signal
// handler: InstallSignalHandlers() relays signals through a thread.
//
// Example:
//   StopSignal::Registration r = stop.OnStop([&] { ctx.TryCancel(); });
//   while (!stop.stopped() && reader->Read(&event)) ...
#ifndef UPTIME_CLI_STOP_SIGNAL_H_
#define UPTIME_CLI_STOP_SIGNAL_H_

#include <functional>
#include <map>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace uptime::cli {

class StopSignal {
 public:
  // Unregisters its callback when destroyed; after that it is not run.
  class Registration {
   public:
    Registration(StopSignal* signal, int id) : signal_(signal), id_(id) {}
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration();

   private:
    StopSignal* const signal_;
    const int id_;
  };

  // Idempotent: the callbacks run once, on the first call.
  void Stop();
  bool stopped() const { return stopped_.HasBeenNotified(); }
  // Sleeps up to `timeout`; true if stopped (at once when already).
  bool WaitFor(absl::Duration timeout) const;
  // Runs `callback` on Stop(), or at once if already stopped. The callback
  // must not call back into this object.
  [[nodiscard]] std::unique_ptr<Registration> OnStop(std::function<void()> callback);

  // Until the returned object is destroyed, SIGINT and SIGTERM call Stop()
  // (from a relay thread; the handler only writes to a pipe). The previous
  // handlers are restored afterwards. One at a time per process.
  class SignalScope;
  // (shared_ptr: its deleter works where SignalScope is incomplete.)
  [[nodiscard]] std::shared_ptr<SignalScope> InstallSignalHandlers();

 private:
  void Remove(int id);

  absl::Notification stopped_;
  absl::Mutex mu_;
  std::map<int, std::function<void()>> callbacks_ ABSL_GUARDED_BY(mu_);
  int next_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool ran_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace uptime::cli

#endif  // UPTIME_CLI_STOP_SIGNAL_H_
