// LoginThrottle: slows a password-guessing attack to a crawl.
//
// Failures are counted per key (a username, and separately a client
// address). After `free_failures` failures in a row a key is locked out for
// `base_lockout`, doubling with every further failure up to `max_lockout`;
// a success resets the key. A lock-out refuses the attempt before the
// password is even checked, so a locked-out attacker also costs no Argon2
// time. Counts are forgotten after `forget_after` without failures.
//
// Bounded: at most `max_keys` keys; past it the least recently failed keys
// are dropped (an attacker spraying addresses cannot grow memory).
//
// Thread-safety: thread-safe. Time comes from the injected Clock.
//
// Example:
//   if (absl::Duration wait = throttle.Blocked({user, addr}); wait > absl::ZeroDuration()) ...
//   throttle.RecordFailure({user, addr});
#ifndef UPTIME_COORDINATOR_ACCOUNTS_LOGIN_THROTTLE_H_
#define UPTIME_COORDINATOR_ACCOUNTS_LOGIN_THROTTLE_H_

#include <cstddef>
#include <initializer_list>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace uptime::coordinator {

struct LoginThrottleOptions {
  int free_failures = 5;
  absl::Duration base_lockout = absl::Seconds(1);
  absl::Duration max_lockout = absl::Minutes(15);
  absl::Duration forget_after = absl::Hours(1);
  size_t max_keys = 100'000;
};

class LoginThrottle {
 public:
  LoginThrottle(Clock* clock, LoginThrottleOptions options = {});

  // How long the longest lock-out among `keys` still lasts; zero when none
  // is locked. Empty keys are ignored.
  absl::Duration Blocked(std::initializer_list<std::string> keys) const;
  // Counts a failure against each key; returns the lock-out it now has.
  absl::Duration RecordFailure(std::initializer_list<std::string> keys);
  void RecordSuccess(std::initializer_list<std::string> keys);

  size_t size() const;

 private:
  struct Entry {
    int failures = 0;
    absl::Time last_failure;
    absl::Time locked_until;
  };
  void EvictLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  const LoginThrottleOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ACCOUNTS_LOGIN_THROTTLE_H_
