#include "coordinator/server/leadership.h"

#include <cstdlib>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

constexpr absl::Duration kMaxGrace = absl::Seconds(8);

void ExitNow(const std::string& why) {
  spdlog::critical("{}: exiting (fail-stop)", why);
  spdlog::shutdown();
  std::_Exit(3);
}

}  // namespace

absl::Status Leadership::Validate(const LeadershipOptions& options) {
  if (options.grace < absl::ZeroDuration() || options.grace > kMaxGrace) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--leader-lock-grace: must be between 0s and ", absl::FormatDuration(kMaxGrace),
        " (a longer grace could outlive the lock on the server and let two coordinators lead)"));
  }
  return absl::OkStatus();
}

struct Leadership::State {
  absl::Mutex mu;
  // The lock's session ended and no grace period has picked that up yet.
  bool lost ABSL_GUARDED_BY(mu) = false;
  // Release()d: nothing is decided any more.
  bool released ABSL_GUARDED_BY(mu) = false;
  // fail_stop was called: nothing is decided any more.
  bool failed ABSL_GUARDED_BY(mu) = false;
  // fail_stop is running; Release() waits for it, as it would for a thread.
  bool failing ABSL_GUARDED_BY(mu) = false;
  // The grace period in progress (0: leading normally), and how many have
  // started, which numbers them so that a late deadline timer of an earlier
  // one does nothing.
  uint64_t grace ABSL_GUARDED_BY(mu) = 0;
  uint64_t graces ABSL_GUARDED_BY(mu) = 0;
  Clock::TimerId deadline_timer ABSL_GUARDED_BY(mu) = 0;
  std::string last_error ABSL_GUARDED_BY(mu);

  absl::Duration grace_length;
  std::function<void(const std::string& why)> fail_stop;

  bool Decided() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return released || failed; }
  bool NotFailing() const ABSL_SHARED_LOCKS_REQUIRED(mu) { return !failing; }
};

Leadership::Leadership(Clock* clock, LeadershipOptions options)
    : clock_(clock),
      options_(std::move(options)),
      state_(std::make_shared<State>()),
      keeper_(clock_, "leadership", [this](absl::Time now) { return Keep(now); }) {
  state_->grace_length = options_.grace;
  state_->fail_stop = options_.fail_stop ? options_.fail_stop : ExitNow;
  lock_ = std::make_unique<store::LeaderLock>(options_.lock, [this] { OnLost(); });
  keeper_.Start();
}

Leadership::~Leadership() { Release(); }

absl::Status Leadership::Acquire() {
  absl::StatusOr<bool> acquired = lock_->TryAcquire();
  if (acquired.ok() && *acquired) return absl::OkStatus();
  spdlog::info("another coordinator leads (or PostgreSQL is unreachable): standing by");
  return lock_->AcquireBlocking(absl::InfiniteFuture());
}

bool Leadership::HeldNow() const { return lock_->HeldNow(); }

void Leadership::Release() {
  Clock::TimerId timer = 0;
  {
    absl::MutexLock lock(&state_->mu);
    state_->released = true;
    timer = std::exchange(state_->deadline_timer, 0);
  }
  if (timer != 0) clock_->Cancel(timer);
  {
    absl::MutexLock lock(&state_->mu);
    state_->mu.Await(absl::Condition(state_.get(), &State::NotFailing));
  }
  keeper_.Stop();  // waits for an attempt in progress
  lock_->Release();
}

uint64_t Leadership::GracePeriodsStarted() const {
  absl::MutexLock lock(&state_->mu);
  return state_->graces;
}

bool Leadership::InGrace() const {
  absl::MutexLock lock(&state_->mu);
  return state_->grace != 0;
}

void Leadership::OnLost() {
  {
    absl::MutexLock lock(&state_->mu);
    state_->lost = true;
  }
  keeper_.Kick();
}

absl::Time Leadership::Keep(absl::Time now) {
  State& s = *state_;
  uint64_t grace = 0;
  bool started = false;
  {
    absl::MutexLock lock(&s.mu);
    if (s.Decided()) return absl::InfiniteFuture();
    if (s.grace == 0) {
      if (!s.lost) return absl::InfiniteFuture();
      s.lost = false;
      s.grace = ++s.graces;
      s.last_error = "no attempt finished";
      started = true;
      if (options_.grace > absl::ZeroDuration()) {
        // Set together with the period (a clock never runs timers under its
        // own lock, so this cannot deadlock): whoever sees the period
        // started, a test advancing its clock included, sees its deadline.
        std::weak_ptr<State> weak = state_;
        s.deadline_timer = clock_->ScheduleAt(now + options_.grace, [weak, grace = s.grace] {
          if (std::shared_ptr<State> state = weak.lock()) TimeOut(state, grace);
        });
      }
    }
    grace = s.grace;
  }
  if (started) {
    spdlog::warn("the leader lock's PostgreSQL session ended; still leading for up to {} while "
                 "taking it back",
                 absl::FormatDuration(options_.grace));
    if (options_.grace <= absl::ZeroDuration()) {
      TimeOut(state_, grace);
      return absl::InfiniteFuture();
    }
  }
  absl::StatusOr<bool> acquired = lock_->TryAcquire();
  Clock::TimerId timer = 0;
  {
    absl::MutexLock lock(&s.mu);
    // Released, or the deadline came first.
    if (s.Decided() || s.grace != grace) return absl::InfiniteFuture();
    if (!acquired.ok()) {
      s.last_error = std::string(acquired.status().message());
      return clock_->Now() + options_.retry_interval;
    }
    s.grace = 0;
    timer = std::exchange(s.deadline_timer, 0);
    if (!*acquired) s.failed = s.failing = true;
  }
  if (timer != 0) clock_->Cancel(timer);
  if (*acquired) {
    // A loss after this attempt has kicked the keeper: its next pass starts
    // a new grace period.
    spdlog::info("took the leader lock back; leading as before");
    return absl::InfiniteFuture();
  }
  s.fail_stop("another coordinator holds the leader lock now");
  absl::MutexLock lock(&s.mu);
  s.failing = false;
  return absl::InfiniteFuture();
}

void Leadership::TimeOut(const std::shared_ptr<State>& state, uint64_t grace) {
  std::string error;
  {
    absl::MutexLock lock(&state->mu);
    if (state->Decided() || state->grace != grace) return;
    state->grace = 0;
    state->deadline_timer = 0;
    state->failed = state->failing = true;
    error = state->last_error;
  }
  state->fail_stop(absl::StrCat("could not take the leader lock back within ",
                                absl::FormatDuration(state->grace_length), " (", error, ")"));
  absl::MutexLock lock(&state->mu);
  state->failing = false;
}

}  // namespace uptime::coordinator
