#include "coordinator/health/monitor_health.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace uptime::coordinator {

HealthPolicy HealthPolicy::FromMonitor(const v1::Monitor& monitor) {
  HealthPolicy p;
  p.failure_threshold = std::max(1, monitor.failure_threshold());
  p.recovery_threshold = std::max(1, monitor.recovery_threshold());
  p.quorum = std::max(1, monitor.locations().quorum());
  return p;
}

MonitorHealth::MonitorHealth(absl::Time now, bool paused)
    : health_(paused ? v1::STATE_PAUSED : v1::STATE_PENDING), since_(now) {}

v1::State MonitorHealth::state() const {
  if (health_ == v1::STATE_PAUSED) return v1::STATE_PAUSED;
  return maintenance_ ? v1::STATE_MAINTENANCE : health_;
}

std::optional<Transition> MonitorHealth::Changed(v1::State before, absl::Time now,
                                                 std::string cause) {
  const v1::State after = state();
  if (after == before) return std::nullopt;
  since_ = now;
  return Transition{before, after, now, std::move(cause)};
}

std::optional<Transition> MonitorHealth::OnResult(const HealthPolicy& policy,
                                                  const v1::CheckResult& result, absl::Time now) {
  if (health_ == v1::STATE_PAUSED) return std::nullopt;
  LocationHealth& loc = locations_[result.location()];
  if (result.success()) {
    loc.consecutive_failures = 0;
    ++loc.consecutive_successes;
  } else {
    loc.consecutive_successes = 0;
    ++loc.consecutive_failures;
  }
  last_failures_ = loc.consecutive_failures;
  last_successes_ = loc.consecutive_successes;

  const v1::State before = state();
  if (health_ == v1::STATE_DOWN) {
    // Hysteresis: a location stays down until it has recovered.
    int still_down = 0;
    for (const auto& [name, l] : locations_) {
      if (l.consecutive_successes < policy.recovery_threshold) ++still_down;
    }
    if (still_down < policy.quorum && result.success()) {
      health_ = v1::STATE_UP;
      return Changed(before, now, "recovered");
    }
    return std::nullopt;
  }
  int failing = 0;
  for (const auto& [name, l] : locations_) {
    if (l.consecutive_failures >= policy.failure_threshold) ++failing;
  }
  if (failing >= policy.quorum) {
    health_ = v1::STATE_DOWN;
    down_cause_ = DescribeFailure(result);
    return Changed(before, now, down_cause_);
  }
  if (health_ == v1::STATE_PENDING && result.success()) {
    health_ = v1::STATE_UP;
    return Changed(before, now, "first success");
  }
  return std::nullopt;
}

std::optional<Transition> MonitorHealth::Pause(absl::Time now) {
  const v1::State before = state();
  locations_.clear();
  health_ = v1::STATE_PAUSED;
  return Changed(before, now, "paused");
}

std::optional<Transition> MonitorHealth::Resume(absl::Time now) {
  if (health_ != v1::STATE_PAUSED) return std::nullopt;
  const v1::State before = state();
  locations_.clear();
  last_failures_ = last_successes_ = 0;
  health_ = v1::STATE_PENDING;
  return Changed(before, now, "resumed");
}

std::optional<Transition> MonitorHealth::SetMaintenance(bool on, absl::Time now) {
  if (on == maintenance_) return std::nullopt;
  const v1::State before = state();
  maintenance_ = on;
  std::string cause = on                           ? "maintenance started"
                      : health_ == v1::STATE_DOWN ? down_cause_
                                                  : "maintenance ended";
  return Changed(before, now, std::move(cause));
}

void MonitorHealth::Restore(v1::State state, absl::Time since, bool incident_open) {
  if (state == v1::STATE_MAINTENANCE) {
    maintenance_ = true;
    health_ = incident_open ? v1::STATE_DOWN : v1::STATE_PENDING;
  } else {
    maintenance_ = false;
    health_ = state;
  }
  if (health_ == v1::STATE_DOWN) down_cause_ = "down before the coordinator restarted";
  since_ = since;
  locations_.clear();
}

void MonitorHealth::ForgetLocation(const std::string& location) { locations_.erase(location); }

std::string DescribeFailure(const v1::CheckResult& r) {
  std::string kind(v1::ErrorKind_Name(r.error_kind()));
  if (absl::StartsWith(kind, "ERROR_KIND_")) kind = kind.substr(11);
  std::string detail = r.error_message();
  if (detail.empty() && r.http_status() != 0) detail = absl::StrCat("HTTP ", r.http_status());
  std::string cause = absl::StrCat(absl::AsciiStrToLower(kind), ": ", detail);
  if (!r.location().empty()) absl::StrAppend(&cause, " (", r.location(), ")");
  return cause;
}

}  // namespace uptime::coordinator
