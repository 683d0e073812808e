// Test-only: a CheckResult with just what uptime arithmetic reads (monitor,
// start time, success, latency), for tests of the stages that sum results.
#ifndef UPTIME_STORE_TESTING_CHECK_RESULT_H_
#define UPTIME_STORE_TESTING_CHECK_RESULT_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "uptime/v1/result.pb.h"

namespace uptime::store {

inline v1::CheckResult TestResult(const std::string& monitor, absl::Time start, bool success,
                                  int64_t latency_ms) {
  v1::CheckResult r;
  r.set_monitor_id(monitor);
  r.set_agent_id("agent-1");
  r.set_start_time_us(absl::ToUnixMicros(start));
  r.set_success(success);
  r.set_latency_us(latency_ms * 1000);
  return r;
}

}  // namespace uptime::store

#endif  // UPTIME_STORE_TESTING_CHECK_RESULT_H_
