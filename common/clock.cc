#include "common/clock.h"

namespace uptime {
namespace internal {

Clock::TimerId TimerSet::Add(absl::Time when, std::function<void()> fn) {
  const Clock::TimerId id = next_id_++;
  timers_.emplace(std::make_pair(when, id), std::move(fn));
  deadlines_.emplace(id, when);
  return id;
}

bool TimerSet::Cancel(Clock::TimerId id) {
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  timers_.erase(std::make_pair(it->second, id));
  deadlines_.erase(it);
  return true;
}

std::function<void()> TimerSet::PopFirst() {
  auto first = timers_.begin();
  std::function<void()> fn = std::move(first->second);
  deadlines_.erase(first->first.second);
  timers_.erase(first);
  return fn;
}

}  // namespace internal

RealClock::RealClock() : thread_([this] { Run(); }) {}

RealClock::~RealClock() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

RealClock* RealClock::Get() {
  static RealClock* clock = new RealClock();
  return clock;
}

Clock::TimerId RealClock::ScheduleAt(absl::Time when, std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  return timers_.Add(when, std::move(fn));
}

bool RealClock::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  return timers_.Cancel(id);
}

void RealClock::Run() {
  mu_.Lock();
  while (!stop_) {
    const absl::Time now = absl::Now();
    if (timers_.empty() || timers_.next_deadline() > now) {
      // Sleep until the first deadline, a new timer, or stop.
      const TimerId seen = timers_.last_id();
      auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stop_ || timers_.last_id() != seen;
      };
      const absl::Duration wait = timers_.empty() ? absl::Seconds(1) : timers_.next_deadline() - now;
      mu_.AwaitWithTimeout(absl::Condition(&changed), wait);
      continue;
    }
    std::function<void()> fn = timers_.PopFirst();
    mu_.Unlock();
    fn();
    mu_.Lock();
  }
  mu_.Unlock();
}

SimulatedClock::SimulatedClock(absl::Time start) : now_(start) {}

absl::Time SimulatedClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

Clock::TimerId SimulatedClock::ScheduleAt(absl::Time when, std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  return timers_.Add(when, std::move(fn));
}

bool SimulatedClock::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  return timers_.Cancel(id);
}

void SimulatedClock::Advance(absl::Duration d) { AdvanceTo(Now() + d); }

void SimulatedClock::AdvanceTo(absl::Time t) {
  while (true) {
    std::function<void()> fn;
    {
      absl::MutexLock lock(&mu_);
      if (timers_.empty() || timers_.next_deadline() > t) {
        if (t > now_) now_ = t;
        return;
      }
      if (timers_.next_deadline() > now_) now_ = timers_.next_deadline();
      fn = timers_.PopFirst();
    }
    fn();
  }
}

size_t SimulatedClock::PendingTimers() const {
  absl::MutexLock lock(&mu_);
  return timers_.size();
}

}  // namespace uptime
