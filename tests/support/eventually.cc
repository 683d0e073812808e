#include "tests/support/eventually.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace uptime::testing {

bool WaitFor(absl::FunctionRef<bool()> cond, absl::Duration timeout,
             absl::Duration poll) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (cond()) return true;
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    // Never oversleep the deadline, so the final check happens on time.
    absl::SleepFor(std::min(poll, left));
  }
}

}  // namespace uptime::testing
