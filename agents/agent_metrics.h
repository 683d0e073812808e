// AgentMetrics: what the agent exports on /metrics about the checks it runs.
//
// Counters by outcome and error kind, and histograms of check latency and of
// scheduling lateness (start - planned slot: DESIGN §6 asks p99 <= 5 ms).
// Gauges read from the engine and the session are registered by the
// AgentServer, which owns both.
//
// Thread-safety: Record() is lock-free (atomics) and may run on any thread.
#ifndef UPTIME_AGENTS_AGENT_METRICS_H_
#define UPTIME_AGENTS_AGENT_METRICS_H_

#include <array>
#include <vector>

#include "common/metrics.h"
#include "uptime/v1/result.pb.h"

namespace uptime::agent {

class AgentMetrics {
 public:
  // Registers the metrics in `registry`, which must outlive this object.
  explicit AgentMetrics(MetricsRegistry* registry);

  // Counts finished checks (the engine's result callback calls it).
  void Record(const std::vector<v1::CheckResult>& results);

 private:
  Counter* success_;
  std::array<Counter*, v1::ErrorKind_ARRAYSIZE> failures_{};  // by ErrorKind
  Histogram* latency_;
  Histogram* lateness_;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_AGENT_METRICS_H_
