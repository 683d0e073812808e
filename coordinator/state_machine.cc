#include "coordinator/state_machine.h"

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
    : state_(paused ? v1::STATE_PAUSED : v1::STATE_PENDING), since_(now) {}

std::optional<Transition> MonitorHealth::MoveTo(v1::State to, absl::Time now, std::string cause) {
  if (to == state_) return std::nullopt;
  Transition t{state_, to, now, std::move(cause)};
  state_ = to;
  since_ = now;
  return t;
}

std::optional<Transition> MonitorHealth::OnResult(const HealthPolicy& policy,
                                                  const v1::CheckResult& result, absl::Time now) {
  if (state_ == v1::STATE_PAUSED) return std::nullopt;
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

  if (state_ == v1::STATE_DOWN) {
    // Hysteresis: a location stays down until it has recovered.
    int still_down = 0;
    for (const auto& [name, l] : locations_) {
      if (l.consecutive_successes < policy.recovery_threshold) ++still_down;
    }
    if (still_down < policy.quorum && result.success()) {
      return MoveTo(v1::STATE_UP, now, "recovered");
    }
    return std::nullopt;
  }
  int failing = 0;
  for (const auto& [name, l] : locations_) {
    if (l.consecutive_failures >= policy.failure_threshold) ++failing;
  }
  if (failing >= policy.quorum) return MoveTo(v1::STATE_DOWN, now, DescribeFailure(result));
  if (state_ == v1::STATE_PENDING && result.success()) return MoveTo(v1::STATE_UP, now, "first success");
  return std::nullopt;
}

std::optional<Transition> MonitorHealth::Pause(absl::Time now) {
  locations_.clear();
  return MoveTo(v1::STATE_PAUSED, now, "paused");
}

std::optional<Transition> MonitorHealth::Resume(absl::Time now) {
  if (state_ != v1::STATE_PAUSED) return std::nullopt;
  locations_.clear();
  last_failures_ = last_successes_ = 0;
  return MoveTo(v1::STATE_PENDING, now, "resumed");
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
