// Test support for ShardTable: a monitor the test owns and an independent
// reference for the capped plan, shared by the placement tests.
#ifndef UPTIME_COORDINATOR_CLUSTER_TESTING_REFERENCE_PLAN_H_
#define UPTIME_COORDINATOR_CLUSTER_TESTING_REFERENCE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "coordinator/cluster/shard_table.h"

namespace uptime::coordinator::test {

// A monitor as the test owns it (MonitorShape only views strings).
struct TestMonitor {
  uint64_t id_hash = 0;
  std::string selector = {};
  std::string label = {};
  int count = 1;

  MonitorShape shape() const {
    return {.id_hash = id_hash, .selector = selector, .location_label = label, .count = count};
  }
};

// The capped plan the way the class comment defines it, written
// independently of ShardTable (whose full plan, ComputePlan, shares the
// incremental code): every monitor in id-hash order takes its best-ranked
// matching agents at distinct locations that have room, then, if some
// locations are still missing, the best remaining ones. Returns agent
// indexes per monitor.
std::vector<AgentIndexes> ReferencePlan(absl::Span<const MonitorShape> monitors, absl::Span<const AgentView> agents,
                                        const ShardOptions& options);

}  // namespace uptime::coordinator::test

#endif  // UPTIME_COORDINATOR_CLUSTER_TESTING_REFERENCE_PLAN_H_
