#include "coordinator/server/leadership.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
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

Leadership::Leadership(LeadershipOptions options) : options_(std::move(options)) {
  lock_ = std::make_unique<store::LeaderLock>(options_.lock, [this] { OnLost(); });
  keeper_ = std::thread([this] { Keep(); });
}

Leadership::~Leadership() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (keeper_.joinable()) keeper_.join();
  lock_->Release();
}

absl::Status Leadership::Acquire() {
  absl::StatusOr<bool> acquired = lock_->TryAcquire();
  if (acquired.ok() && *acquired) return absl::OkStatus();
  spdlog::info("another coordinator leads (or PostgreSQL is unreachable): standing by");
  return lock_->AcquireBlocking(absl::InfiniteFuture());
}

bool Leadership::HeldNow() const { return lock_->HeldNow(); }

void Leadership::Release() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (keeper_.joinable()) keeper_.join();
  lock_->Release();
}

void Leadership::OnLost() {
  absl::MutexLock lock(&mu_);
  lost_ = true;
}

void Leadership::Keep() {
  const auto fail_stop = options_.fail_stop ? options_.fail_stop : ExitNow;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Leadership::WakeLocked));
      if (stop_) return;
      lost_ = false;
      outcome_ = Outcome::kPending;
    }
    spdlog::warn("the leader lock's PostgreSQL session ended; still leading for up to {} while "
                 "taking it back",
                 absl::FormatDuration(options_.grace));
    const absl::Time deadline = absl::Now() + options_.grace;
    // Attempts run on their own thread so that one stuck in a connect or a
    // query cannot carry the leader past its deadline.
    std::string last_error = "no attempt finished";
    std::thread attempts([&] {
      for (;;) {
        absl::StatusOr<bool> acquired = lock_->TryAcquire();
        absl::MutexLock lock(&mu_);
        if (outcome_ != Outcome::kPending || stop_) return;
        if (acquired.ok()) {
          outcome_ = *acquired ? Outcome::kKept : Outcome::kTaken;
          return;
        }
        last_error = std::string(acquired.status().message());
        if (mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.retry_interval)) return;
        if (absl::Now() >= deadline) return;
      }
    });
    Outcome outcome;
    std::string error;
    {
      absl::MutexLock lock(&mu_);
      auto decided = [this] {
        mu_.AssertHeld();
        return outcome_ != Outcome::kPending || stop_;
      };
      mu_.AwaitWithDeadline(absl::Condition(&decided), deadline);
      if (outcome_ == Outcome::kPending) outcome_ = Outcome::kTimedOut;
      outcome = outcome_;
      error = last_error;
    }
    if (outcome == Outcome::kKept) {
      attempts.join();
      spdlog::info("took the leader lock back; leading as before");
      continue;
    }
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      stopping = stop_;
    }
    if (stopping) {
      attempts.join();
      return;
    }
    if (outcome == Outcome::kTaken) {
      fail_stop("another coordinator holds the leader lock now");
    } else {
      fail_stop(absl::StrCat("could not take the leader lock back within ",
                             absl::FormatDuration(options_.grace), " (", error, ")"));
    }
    attempts.join();
    return;
  }
}

}  // namespace uptime::coordinator
