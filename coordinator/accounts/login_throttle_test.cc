#include "coordinator/accounts/login_throttle.h"

#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

TEST(LoginThrottleTest, LocksOutExponentiallyAfterFreeFailures) {
  SimulatedClock clock;
  LoginThrottle throttle(&clock, {.free_failures = 3});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(throttle.RecordFailure({"user:a"}), absl::ZeroDuration());
  EXPECT_EQ(throttle.Blocked({"user:a"}), absl::ZeroDuration());
  EXPECT_EQ(throttle.RecordFailure({"user:a"}), absl::Seconds(1));
  EXPECT_EQ(throttle.Blocked({"user:a", "addr:x"}), absl::Seconds(1));
  EXPECT_EQ(throttle.RecordFailure({"user:a"}), absl::Seconds(2));
  EXPECT_EQ(throttle.RecordFailure({"user:a"}), absl::Seconds(4));
  clock.Advance(absl::Seconds(4));
  EXPECT_EQ(throttle.Blocked({"user:a"}), absl::ZeroDuration());
  // Other keys are not affected.
  EXPECT_EQ(throttle.Blocked({"user:b"}), absl::ZeroDuration());
}

TEST(LoginThrottleTest, CapsTheLockout) {
  SimulatedClock clock;
  LoginThrottle throttle(&clock, {.free_failures = 0, .max_lockout = absl::Minutes(15)});
  absl::Duration last;
  for (int i = 0; i < 40; ++i) last = throttle.RecordFailure({"addr:1.2.3.4"});
  EXPECT_EQ(last, absl::Minutes(15));
}

TEST(LoginThrottleTest, SuccessResetsAndOldFailuresAreForgotten) {
  SimulatedClock clock;
  LoginThrottle throttle(&clock, {.free_failures = 2, .forget_after = absl::Hours(1)});
  throttle.RecordFailure({"user:a"});
  throttle.RecordFailure({"user:a"});
  throttle.RecordSuccess({"user:a"});
  EXPECT_EQ(throttle.RecordFailure({"user:a"}), absl::ZeroDuration());
  throttle.RecordFailure({"user:a"});
  clock.Advance(absl::Hours(2));
  EXPECT_EQ(throttle.RecordFailure({"user:a"}), absl::ZeroDuration());
}

TEST(LoginThrottleTest, StaysBoundedUnderAddressSpraying) {
  SimulatedClock clock;
  LoginThrottle throttle(&clock, {.max_keys = 100});
  for (int i = 0; i < 1000; ++i) {
    throttle.RecordFailure({"addr:" + std::to_string(i)});
    clock.Advance(absl::Milliseconds(1));
  }
  EXPECT_LE(throttle.size(), 100u);
}

TEST(LoginThrottleTest, IgnoresEmptyKeys) {
  SimulatedClock clock;
  LoginThrottle throttle(&clock, {.free_failures = 0});
  throttle.RecordFailure({""});
  EXPECT_EQ(throttle.size(), 0u);
}

}  // namespace
}  // namespace uptime::coordinator
