// Clock: the only source of time for logic, so tests can drive time instead of
// sleeping.
//
// Logic takes a `Clock*` and calls `Now()` and `ScheduleAt()`. Production code
// passes `RealClock::Get()`; tests pass a `SimulatedClock` and call `Advance()`,
// which runs every timer that falls due, in deadline order, on the caller's
// thread.
//
// Example:
//   SimulatedClock clock(absl::FromUnixSeconds(1'700'000'000));
//   bool fired = false;
//   clock.ScheduleAt(clock.Now() + absl::Seconds(5), [&] { fired = true; });
//   clock.Advance(absl::Seconds(5));  // fired == true
#ifndef UPTIME_COMMON_CLOCK_H_
#define UPTIME_COMMON_CLOCK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace uptime {

class Clock {
 public:
  using TimerId = uint64_t;

  virtual ~Clock() = default;

  virtual absl::Time Now() const = 0;

  // Runs `fn` once at or after `when`. `fn` runs without any clock lock held
  // and may call back into the clock. Returns an id for Cancel().
  virtual TimerId ScheduleAt(absl::Time when, std::function<void()> fn) = 0;

  // Cancels a timer that has not started yet. Returns false if it already ran,
  // is running, or never existed.
  virtual bool Cancel(TimerId id) = 0;
};

namespace internal {

// Pending timers ordered by (deadline, id); not thread-safe (clocks guard it).
class TimerSet {
 public:
  Clock::TimerId Add(absl::Time when, std::function<void()> fn);
  bool Cancel(Clock::TimerId id);
  bool empty() const { return timers_.empty(); }
  size_t size() const { return timers_.size(); }
  absl::Time next_deadline() const { return timers_.begin()->first.first; }
  // Removes and returns the earliest timer's function.
  std::function<void()> PopFirst();
  Clock::TimerId last_id() const { return next_id_ - 1; }

 private:
  std::map<std::pair<absl::Time, Clock::TimerId>, std::function<void()>> timers_;
  std::map<Clock::TimerId, absl::Time> deadlines_;
  Clock::TimerId next_id_ = 1;
};

}  // namespace internal

// Wall-clock time; timers run on one background thread owned by the clock.
// Thread-safe.
class RealClock : public Clock {
 public:
  RealClock();
  ~RealClock() override;
  RealClock(const RealClock&) = delete;
  RealClock& operator=(const RealClock&) = delete;

  // A process-wide instance, never destroyed.
  static RealClock* Get();

  absl::Time Now() const override { return absl::Now(); }
  TimerId ScheduleAt(absl::Time when, std::function<void()> fn) override;
  bool Cancel(TimerId id) override;

 private:
  void Run();

  absl::Mutex mu_;
  internal::TimerSet timers_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Time that moves only when Advance()/AdvanceTo() is called. Thread-safe;
// timers run on the thread that advances.
class SimulatedClock : public Clock {
 public:
  explicit SimulatedClock(absl::Time start = absl::FromUnixSeconds(1'700'000'000));

  absl::Time Now() const override;
  TimerId ScheduleAt(absl::Time when, std::function<void()> fn) override;
  bool Cancel(TimerId id) override;

  // Moves time forward by `d`, running due timers in deadline order, each with
  // Now() equal to its deadline.
  void Advance(absl::Duration d);
  void AdvanceTo(absl::Time t);

  // Number of timers not yet run.
  size_t PendingTimers() const;

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  internal::TimerSet timers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime

#endif  // UPTIME_COMMON_CLOCK_H_
