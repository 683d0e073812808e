#include "common/clock.h"

namespace uptime {

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
  TimerId id = next_id_++;
  timers_.emplace(std::make_pair(when, id), std::move(fn));
  deadlines_.emplace(id, when);
  return id;
}

bool RealClock::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  timers_.erase(std::make_pair(it->second, id));
  deadlines_.erase(it);
  return true;
}

void RealClock::Run() {
  mu_.Lock();
  while (!stop_) {
    if (timers_.empty()) {
      // Wake up on new timers or stop; the condition re-checks on every write.
      size_t seen = next_id_;
      auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stop_ || next_id_ != seen;
      };
      mu_.AwaitWithTimeout(absl::Condition(&changed), absl::Seconds(1));
      continue;
    }
    auto first = timers_.begin();
    absl::Time due = first->first.first;
    absl::Time now = absl::Now();
    if (due > now) {
      TimerId seen = next_id_;
      auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stop_ || next_id_ != seen;
      };
      mu_.AwaitWithTimeout(absl::Condition(&changed), due - now);
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    deadlines_.erase(first->first.second);
    timers_.erase(first);
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
  TimerId id = next_id_++;
  timers_.emplace(std::make_pair(when, id), std::move(fn));
  deadlines_.emplace(id, when);
  return id;
}

bool SimulatedClock::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  timers_.erase(std::make_pair(it->second, id));
  deadlines_.erase(it);
  return true;
}

void SimulatedClock::Advance(absl::Duration d) { AdvanceTo(Now() + d); }

void SimulatedClock::AdvanceTo(absl::Time t) {
  while (true) {
    std::function<void()> fn;
    {
      absl::MutexLock lock(&mu_);
      if (timers_.empty() || timers_.begin()->first.first > t) {
        if (t > now_) now_ = t;
        return;
      }
      auto first = timers_.begin();
      if (first->first.first > now_) now_ = first->first.first;
      fn = std::move(first->second);
      deadlines_.erase(first->first.second);
      timers_.erase(first);
    }
    fn();
  }
}

size_t SimulatedClock::PendingTimers() const {
  absl::MutexLock lock(&mu_);
  return timers_.size();
}

}  // namespace uptime
