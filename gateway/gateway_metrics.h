// The gateway's Prometheus metrics: requests by route and status code, a
// latency histogram per route, SSE clients, connections, snapshot age.
//
// Thread-safety: thread-safe. Counters per (route, code) are created on
// first use, under a lock held only for the lookup.
#ifndef UPTIME_GATEWAY_GATEWAY_METRICS_H_
#define UPTIME_GATEWAY_GATEWAY_METRICS_H_

#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/metrics.h"

namespace uptime::gateway {

class GatewayMetrics {
 public:
  explicit GatewayMetrics(MetricsRegistry* registry);

  void Record(const std::string& route, unsigned code, absl::Duration latency);

  MetricsRegistry* registry() const { return registry_; }

 private:
  MetricsRegistry* const registry_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::pair<std::string, unsigned>, Counter*> requests_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Histogram*> latency_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_GATEWAY_METRICS_H_
