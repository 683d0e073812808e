// PeriodicRunner: runs one task again and again on its own thread, when the
// injected Clock says it is due, or at once when kicked.
//
// The task ("a pass") returns when it wants to run next; the runner sets a
// timer on the clock for that time. With a RealClock that is wall time; with
// a SimulatedClock a test's Advance() makes the pass due, so tests move time
// instead of sleeping (and wait_for_pass() tells them when it ran). The pass
// runs on the runner's thread, never on the clock's timer thread, so a slow
// pass (a database write) delays nothing else.
//
// Example:
//   PeriodicRunner runner(clock, "alert-scheduler", [this](absl::Time now) {
//     Scan(now);
//     return now + absl::Seconds(5);
//   });
//   runner.Start();   // first pass at once
//   runner.Kick();    // another pass now, e.g. new work arrived
//   runner.Stop();    // waits for a pass in progress
//
// Thread-safety: thread-safe. Start and Stop from one owner thread.
#ifndef UPTIME_COMMON_PERIODIC_RUNNER_H_
#define UPTIME_COMMON_PERIODIC_RUNNER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "common/clock.h"

namespace uptime {

class PeriodicRunner {
 public:
  // Runs one pass at `now`; returns when the next pass is due
  // (absl::InfiniteFuture(): only when kicked).
  using Pass = std::function<absl::Time(absl::Time now)>;

  PeriodicRunner(Clock* clock, std::string name, Pass pass);
  // Stop()s.
  ~PeriodicRunner();
  PeriodicRunner(const PeriodicRunner&) = delete;
  PeriodicRunner& operator=(const PeriodicRunner&) = delete;

  // Starts the thread; the first pass runs at once. No-op when running.
  void Start();
  // Waits for a pass in progress, then joins. Idempotent; the runner can be
  // started again.
  void Stop();
  // Makes a pass due now (coalesced: many kicks before a pass make one).
  void Kick();

  bool running() const;
  // Passes completed since construction.
  uint64_t passes() const;
  // Waits (in real time, at most `timeout`) until more than `after` passes
  // have completed; false on timeout. For tests that advance a simulated
  // clock and then look at what the pass did.
  bool WaitForPass(uint64_t after, absl::Duration timeout) const;

 private:
  struct State;  // shared with clock timers, which may outlive a pass
  void Run();

  Clock* const clock_;
  const std::string name_;
  const Pass pass_;
  const std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace uptime

#endif  // UPTIME_COMMON_PERIODIC_RUNNER_H_
