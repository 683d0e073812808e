// Waiting for a condition with a deadline, for tests that involve real
// processes and sockets where "when" cannot be controlled, only bounded.
//
// Example:
//   ASSERT_EVENTUALLY(sink->count() == 3, absl::Seconds(5));
//   EXPECT_EVENTUALLY(!process->Running(), absl::Seconds(2));
//
// Note: code inside namespace uptime::testing must spell GoogleTest's
// namespace as ::testing, since `testing` names this one there.

#ifndef UPTIME_TESTS_SUPPORT_EVENTUALLY_H_
#define UPTIME_TESTS_SUPPORT_EVENTUALLY_H_

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace uptime::testing {

// Evaluates `cond` until it returns true or `timeout` has passed, sleeping
// `poll` between evaluations. Returns the last value of `cond`; `cond` is
// always evaluated at least once and once more at the deadline, so a zero
// timeout means "check now".
bool WaitFor(absl::FunctionRef<bool()> cond, absl::Duration timeout,
             absl::Duration poll = absl::Milliseconds(20));

}  // namespace uptime::testing

// Fails the current test (fatally: returns from the enclosing void function)
// with the condition's text if `cond` is not true within `timeout`.
#define ASSERT_EVENTUALLY(cond, timeout)                                  \
  do {                                                                    \
    const ::absl::Duration uptime_eventually_timeout = (timeout);         \
    if (!::uptime::testing::WaitFor([&]() -> bool { return (cond); },     \
                                    uptime_eventually_timeout)) {         \
      FAIL() << "Not true within "                                        \
             << ::absl::FormatDuration(uptime_eventually_timeout) << ": " \
             << #cond;                                                    \
    }                                                                     \
  } while (0)

// As ASSERT_EVENTUALLY, but the failure is non-fatal and the test goes on.
#define EXPECT_EVENTUALLY(cond, timeout)                                 \
  do {                                                                   \
    const ::absl::Duration uptime_eventually_timeout = (timeout);        \
    if (!::uptime::testing::WaitFor([&]() -> bool { return (cond); },    \
                                    uptime_eventually_timeout)) {        \
      ADD_FAILURE() << "Not true within "                                \
                    << ::absl::FormatDuration(uptime_eventually_timeout) \
                    << ": " << #cond;                                    \
    }                                                                    \
  } while (0)

#endif  // UPTIME_TESTS_SUPPORT_EVENTUALLY_H_
