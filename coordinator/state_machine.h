// The per-monitor health state machine: pure logic, time passed in.
//
// PENDING until the first results; DOWN once at least `quorum` locations have
// each failed `failure_threshold` times in a row; UP again once fewer than
// `quorum` locations are still down, a down location counting as recovered
// after `recovery_threshold` consecutive successes. The hysteresis between
// the two thresholds is what keeps a flapping target from producing a storm
// of transitions.
//
// Example:
//   MonitorHealth health(now);
//   if (auto t = health.OnResult(policy, result, now)) PublishTransition(*t);
#ifndef UPTIME_COORDINATOR_STATE_MACHINE_H_
#define UPTIME_COORDINATOR_STATE_MACHINE_H_

#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/result.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::coordinator {

struct HealthPolicy {
  int failure_threshold = 1;
  int recovery_threshold = 1;
  int quorum = 1;

  static HealthPolicy FromMonitor(const v1::Monitor& monitor);
};

struct Transition {
  v1::State from = v1::STATE_UNSPECIFIED;
  v1::State to = v1::STATE_UNSPECIFIED;
  absl::Time at;
  std::string cause;
};

// Not thread-safe: owned by one monitor's entry, guarded by its owner.
class MonitorHealth {
 public:
  explicit MonitorHealth(absl::Time now, bool paused = false);

  v1::State state() const { return state_; }
  absl::Time since() const { return since_; }

  // Counts `result` from its location. Returns the transition it causes.
  std::optional<Transition> OnResult(const HealthPolicy& policy, const v1::CheckResult& result,
                                     absl::Time now);

  // PAUSED until Resume(); results are ignored meanwhile.
  std::optional<Transition> Pause(absl::Time now);
  // PENDING, with every location's history forgotten.
  std::optional<Transition> Resume(absl::Time now);

  // Sets the state decided before a restart; location history starts over.
  void Restore(v1::State state, absl::Time since) {
    state_ = state;
    since_ = since;
    locations_.clear();
  }

  // Drops a location that no longer checks the monitor, so its stale failures
  // cannot hold the monitor DOWN.
  void ForgetLocation(const std::string& location);

  // Consecutive counts of the location that reported last.
  int consecutive_failures() const { return last_failures_; }
  int consecutive_successes() const { return last_successes_; }

 private:
  struct LocationHealth {
    int consecutive_failures = 0;
    int consecutive_successes = 0;
  };

  std::optional<Transition> MoveTo(v1::State to, absl::Time now, std::string cause);

  v1::State state_;
  absl::Time since_;
  std::map<std::string, LocationHealth> locations_;
  int last_failures_ = 0;
  int last_successes_ = 0;
};

// "STATUS: HTTP 503 Service Unavailable (eu-west)"-style cause of a failure.
std::string DescribeFailure(const v1::CheckResult& result);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_STATE_MACHINE_H_
