#include "agents/agent_metrics.h"

#include <string>

#include "absl/strings/ascii.h"

namespace uptime::agent {
namespace {

// "ERROR_KIND_TIMEOUT" -> "timeout".
std::string KindLabel(v1::ErrorKind kind) {
  std::string name = v1::ErrorKind_Name(kind);
  constexpr char kPrefix[] = "ERROR_KIND_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(sizeof(kPrefix) - 1);
  return absl::AsciiStrToLower(name);
}

}  // namespace

AgentMetrics::AgentMetrics(MetricsRegistry* registry)
    : success_(registry->AddCounter("uptime_agent_checks_total", "Checks run, by outcome",
                                    {{"outcome", "success"}, {"error_kind", ""}})),
      latency_(registry->AddHistogram("uptime_agent_check_duration_seconds",
                                      "Duration of checks, end to end",
                                      ExponentialBuckets(0.001, 2, 15))),
      lateness_(registry->AddHistogram("uptime_agent_schedule_lateness_seconds",
                                       "How long after its planned slot a check started",
                                       ExponentialBuckets(0.0001, 2, 15))) {
  for (int k = 0; k < v1::ErrorKind_ARRAYSIZE; ++k) {
    const auto kind = static_cast<v1::ErrorKind>(k);
    if (kind == v1::ERROR_KIND_UNSPECIFIED || !v1::ErrorKind_IsValid(k)) continue;
    failures_[k] = registry->AddCounter("uptime_agent_checks_total", "Checks run, by outcome",
                                        {{"outcome", "failure"}, {"error_kind", KindLabel(kind)}});
  }
}

void AgentMetrics::Record(const std::vector<v1::CheckResult>& results) {
  for (const v1::CheckResult& r : results) {
    Counter* c = success_;
    if (!r.success()) {
      const int k = static_cast<int>(r.error_kind());
      c = k > 0 && k < v1::ErrorKind_ARRAYSIZE && failures_[k] != nullptr
              ? failures_[k]
              : failures_[v1::ERROR_KIND_INTERNAL];
    }
    c->Increment();
    latency_->Observe(static_cast<double>(r.latency_us()) / 1e6);
    lateness_->Observe(static_cast<double>(r.start_time_us() - r.scheduled_time_us()) / 1e6);
  }
}

}  // namespace uptime::agent
