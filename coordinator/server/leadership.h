// Leadership: holds the leader lock for the coordinator and decides what a
// lost lock connection means.
//
// A leader whose lock session ends may have been replaced, or PostgreSQL may
// just have restarted. Exiting at once on every blip would stop checking
// and alerting exactly when the infrastructure is sick, so the leader keeps
// going for at most `grace` while it tries to take the lock back:
//
//   lock taken back       leading as before (the lock was never someone
//                         else's: it is exclusive)
//   another session has it  fail-stop at once: a standby leads now
//   grace runs out        fail-stop
//
// Why a short grace is safe: after a network partition the server frees the
// lock only once the leader has been silent ~16 s (LeaderLock's server-side
// keepalives), while the leader notices within ~6 s; with grace <= 8 s it
// has stopped before any standby can hold the lock. After a server restart
// or a terminated session the lock is free at once, and a standby may win
// it; the old leader then learns so at its next attempt (every 250 ms) and
// stops, so two leaders overlap by at most that.
//
// The grace deadline and the retry pace follow the injected Clock, so a test
// with a SimulatedClock moves through a grace period by advancing time. The
// deadline is a clock timer of its own, apart from the attempts: an attempt
// stuck in a connect or a query cannot carry the leader past it.
//
// Thread-safety: Acquire/Release from one thread; the rest is internal.
// `fail_stop` runs on the keeper's thread (lock taken) or on the clock's
// timer thread (grace ran out); with a SimulatedClock that is the thread
// that advances it.
#ifndef UPTIME_COORDINATOR_SERVER_LEADERSHIP_H_
#define UPTIME_COORDINATOR_SERVER_LEADERSHIP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/periodic_runner.h"
#include "store/postgres/leader_lock.h"

namespace uptime::coordinator {

struct LeadershipOptions {
  store::LeaderLockOptions lock = {};
  // How long a leader whose lock session ended keeps leading while it tries
  // to take the lock back. At most 8 s (see above); 0 stops at once.
  absl::Duration grace = absl::Seconds(7);
  absl::Duration retry_interval = absl::Milliseconds(250);
  // Called (once) to stop the process; the default logs and _Exit(3)s.
  // Tests replace it.
  std::function<void(const std::string& why)> fail_stop = {};
};

class Leadership {
 public:
  // INVALID_ARGUMENT when grace is negative or above 8 s.
  static absl::Status Validate(const LeadershipOptions& options);

  Leadership(Clock* clock, LeadershipOptions options);
  ~Leadership();  // Release()s.
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  // Blocks until this process holds the lock.
  absl::Status Acquire();
  // Whether the lock is held right now (false during a grace period).
  bool HeldNow() const;
  // Frees the lock for a standby; no fail-stop afterwards.
  void Release();

  // Grace periods started so far, and whether one is running now (what a
  // test waits for before it moves its clock).
  uint64_t GracePeriodsStarted() const;
  bool InGrace() const;

 private:
  // Shared with the clock's deadline timers, which may fire after the
  // Leadership is gone.
  struct State;

  void OnLost();  // on the lock's watcher thread: only signals
  // One pass of keeper_: starts a grace period after a loss, then makes one
  // attempt to take the lock back per pass.
  absl::Time Keep(absl::Time now);
  // Ends grace period `grace` with a fail-stop unless it was decided already.
  static void TimeOut(const std::shared_ptr<State>& state, uint64_t grace);

  Clock* const clock_;
  const LeadershipOptions options_;
  const std::shared_ptr<State> state_;
  std::unique_ptr<store::LeaderLock> lock_;
  PeriodicRunner keeper_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_SERVER_LEADERSHIP_H_
