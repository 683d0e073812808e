#include "coordinator/accounts/login_throttle.h"

#include <algorithm>
#include <vector>

namespace uptime::coordinator {

LoginThrottle::LoginThrottle(Clock* clock, LoginThrottleOptions options)
    : clock_(clock), options_(options) {}

absl::Duration LoginThrottle::Blocked(std::initializer_list<std::string> keys) const {
  const absl::Time now = clock_->Now();
  absl::Duration longest = absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  for (const std::string& key : keys) {
    if (key.empty()) continue;
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    longest = std::max(longest, it->second.locked_until - now);
  }
  return longest;
}

absl::Duration LoginThrottle::RecordFailure(std::initializer_list<std::string> keys) {
  const absl::Time now = clock_->Now();
  absl::Duration longest = absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  for (const std::string& key : keys) {
    if (key.empty()) continue;
    Entry& e = entries_[key];
    if (e.failures > 0 && now - e.last_failure > options_.forget_after) e = Entry{};
    ++e.failures;
    e.last_failure = now;
    const int over = e.failures - options_.free_failures;
    if (over > 0) {
      // 1 s, 2 s, 4 s, ... capped: guessing slows exponentially.
      absl::Duration lockout = options_.base_lockout * (1LL << std::min(over - 1, 20));
      lockout = std::min(lockout, options_.max_lockout);
      e.locked_until = now + lockout;
    }
    longest = std::max(longest, e.locked_until - now);
  }
  if (entries_.size() > options_.max_keys) EvictLocked(now);
  return longest;
}

void LoginThrottle::RecordSuccess(std::initializer_list<std::string> keys) {
  absl::MutexLock lock(&mu_);
  for (const std::string& key : keys) entries_.erase(key);
}

size_t LoginThrottle::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

void LoginThrottle::EvictLocked(absl::Time now) {
  // First what is forgotten anyway, then the oldest failures down to 3/4 of
  // the bound, so eviction runs rarely.
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.last_failure > options_.forget_after) {
      entries_.erase(it++);
    } else {
      ++it;
    }
  }
  if (entries_.size() <= options_.max_keys) return;
  std::vector<absl::Time> times;
  times.reserve(entries_.size());
  for (const auto& [key, e] : entries_) times.push_back(e.last_failure);
  const size_t keep = options_.max_keys * 3 / 4;
  std::nth_element(times.begin(), times.end() - keep, times.end());
  const absl::Time cutoff = *(times.end() - keep);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.last_failure < cutoff) {
      entries_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace uptime::coordinator
