#include "common/periodic_runner.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace uptime {

struct PeriodicRunner::State {
  mutable absl::Mutex mu;
  bool running ABSL_GUARDED_BY(mu) = false;
  bool stop ABSL_GUARDED_BY(mu) = false;
  bool due ABSL_GUARDED_BY(mu) = false;
  uint64_t passes ABSL_GUARDED_BY(mu) = 0;
  Clock::TimerId timer ABSL_GUARDED_BY(mu) = 0;

  bool WakeLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return stop || due; }
};

PeriodicRunner::PeriodicRunner(Clock* clock, std::string name, Pass pass)
    : clock_(clock),
      name_(std::move(name)),
      pass_(std::move(pass)),
      state_(std::make_shared<State>()) {}

PeriodicRunner::~PeriodicRunner() { Stop(); }

void PeriodicRunner::Start() {
  {
    absl::MutexLock lock(&state_->mu);
    if (state_->running) return;
    state_->running = true;
    state_->stop = false;
    state_->due = true;  // the first pass at once
  }
  thread_ = std::thread([this] { Run(); });
}

void PeriodicRunner::Stop() {
  Clock::TimerId timer = 0;
  {
    absl::MutexLock lock(&state_->mu);
    if (!state_->running) return;
    state_->stop = true;
    timer = std::exchange(state_->timer, 0);
  }
  if (timer != 0) clock_->Cancel(timer);
  thread_.join();
  absl::MutexLock lock(&state_->mu);
  state_->running = false;
}

void PeriodicRunner::Kick() {
  absl::MutexLock lock(&state_->mu);
  state_->due = true;
}

bool PeriodicRunner::running() const {
  absl::MutexLock lock(&state_->mu);
  return state_->running;
}

uint64_t PeriodicRunner::passes() const {
  absl::MutexLock lock(&state_->mu);
  return state_->passes;
}

bool PeriodicRunner::WaitForPass(uint64_t after, absl::Duration timeout) const {
  absl::MutexLock lock(&state_->mu);
  auto done = [this, after]() ABSL_SHARED_LOCKS_REQUIRED(state_->mu) {
    return state_->passes > after;
  };
  return state_->mu.AwaitWithTimeout(absl::Condition(&done), timeout);
}

void PeriodicRunner::Run() {
  State& s = *state_;
  for (;;) {
    {
      absl::MutexLock lock(&s.mu);
      s.mu.Await(absl::Condition(&s, &State::WakeLocked));
      if (s.stop) return;
      s.due = false;
    }
    const absl::Time next = pass_(clock_->Now());
    Clock::TimerId stale = 0;
    {
      absl::MutexLock lock(&s.mu);
      ++s.passes;
      stale = std::exchange(s.timer, 0);
    }
    if (stale != 0) clock_->Cancel(stale);
    if (next == absl::InfiniteFuture()) continue;
    // The timer holds the state, not the runner: it may fire after Stop().
    std::weak_ptr<State> weak = state_;
    const Clock::TimerId timer = clock_->ScheduleAt(next, [weak] {
      if (std::shared_ptr<State> state = weak.lock()) {
        absl::MutexLock lock(&state->mu);
        state->due = true;
      }
    });
    bool stopped;
    {
      absl::MutexLock lock(&s.mu);
      stopped = s.stop;
      if (!stopped) s.timer = timer;
    }
    if (stopped) {
      // Stop() ran between the pass and here and could not see this timer.
      clock_->Cancel(timer);
      return;
    }
  }
}

}  // namespace uptime
