// The per-monitor health state machine: pure logic, time passed in.
//
// PENDING until the first results; DOWN once at least `quorum` locations have
// each failed `failure_threshold` times in a row; UP again once fewer than
// `quorum` locations are still down, a down location counting as recovered
// after `recovery_threshold` consecutive successes. The hysteresis between
// the two thresholds is what keeps a flapping target from producing a storm
// of transitions.
//
// Maintenance is an overlay on that health: while it is on, results are
// counted exactly as before (so the health moves on), but the state users see
// is MAINTENANCE and no transition is reported. Leaving maintenance reports
// one transition, to whatever the health is then. PAUSED wins over both.
//
// Example:
//   MonitorHealth health(now);
//   if (auto t = health.OnResult(policy, result, now)) PublishTransition(*t);
#ifndef UPTIME_COORDINATOR_HEALTH_MONITOR_HEALTH_H_
#define UPTIME_COORDINATOR_HEALTH_MONITOR_HEALTH_H_

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

  // What users see: PAUSED; else MAINTENANCE while in maintenance; else
  // health_state().
  v1::State state() const;
  // Decided from results alone, maintenance or not: PENDING, UP, DOWN or
  // PAUSED.
  v1::State health_state() const { return health_; }
  bool in_maintenance() const { return maintenance_; }
  // When state() last changed.
  absl::Time since() const { return since_; }

  // Counts `result` from its location. Returns the change of state() it
  // causes: none while paused or in maintenance.
  std::optional<Transition> OnResult(const HealthPolicy& policy, const v1::CheckResult& result,
                                     absl::Time now);

  // PAUSED until Resume(); results are ignored meanwhile.
  std::optional<Transition> Pause(absl::Time now);
  // PENDING (MAINTENANCE if in maintenance), with every location's history
  // forgotten.
  std::optional<Transition> Resume(absl::Time now);

  // Enters or leaves maintenance. Leaving moves state() to health_state();
  // when that is DOWN the cause is the failure that made it DOWN, because the
  // incident opened now is about that failure.
  std::optional<Transition> SetMaintenance(bool on, absl::Time now);

  // Sets the state decided before a restart; location history starts over.
  // A saved MAINTENANCE comes back in maintenance, DOWN underneath when an
  // incident was open (it stays open until the monitor is healthy outside
  // maintenance), PENDING otherwise (results will tell).
  void Restore(v1::State state, absl::Time since, bool incident_open);

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

  // The transition of state() from `before`, if it changed.
  std::optional<Transition> Changed(v1::State before, absl::Time now, std::string cause);

  v1::State health_;
  bool maintenance_ = false;
  absl::Time since_;
  // Why health_ last became DOWN.
  std::string down_cause_;
  std::map<std::string, LocationHealth> locations_;
  int last_failures_ = 0;
  int last_successes_ = 0;
};

// "STATUS: HTTP 503 Service Unavailable (eu-west)"-style cause of a failure.
std::string DescribeFailure(const v1::CheckResult& result);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_HEALTH_MONITOR_HEALTH_H_
