// Sharding: which agents check which monitor. Pure functions, no state.
//
// Weighted rendezvous (highest-random-weight) hashing with bounded load:
// every (monitor, agent) pair gets a stable pseudo-random score scaled by the
// agent's capacity; a monitor goes to its best-scoring agents that match its
// location selector, one per distinct location, skipping agents already at
// their load cap (`load_factor` x their capacity-weighted fair share). An
// agent joining or leaving therefore moves only the monitors it wins or held
// (plus the rare spill-over the cap forces), and no agent ends up with more
// than ~1.25x its share.
//
// Example:
//   std::vector<ShardMonitor> monitors = ...;   // ids, selectors, K
//   std::vector<AgentView> agents = ...;
//   ShardPlan plan = ComputePlan(monitors, agents, {.load_factor = 1.25});
//   plan.assignments[i] lists indices into `agents` for monitors[i].
#ifndef UPTIME_COORDINATOR_CLUSTER_PLANNER_H_
#define UPTIME_COORDINATOR_CLUSTER_PLANNER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/labels.h"

namespace uptime::coordinator {

struct AgentView {
  std::string id;
  std::map<std::string, std::string> labels;
  int capacity = 100;
  // A draining agent keeps nothing: its monitors move before it leaves.
  bool draining = false;
};

// What sharding needs to know of a monitor. Pointers must outlive the call.
struct ShardMonitor {
  uint64_t id_hash = 0;                    // StableHash64(monitor id)
  const LabelSelector* selector = nullptr;  // null: any agent
  const std::string* location_label = nullptr;  // null: "region"
  int count = 1;                            // distinct locations wanted
};

using AgentIndexes = absl::InlinedVector<uint32_t, 2>;

struct ShardOptions {
  double load_factor = 1.25;
};

struct ShardPlan {
  // Per monitor, the chosen agents (indexes into the agent span), best first.
  std::vector<AgentIndexes> assignments;
  // Per agent, the number of monitors it got.
  std::vector<uint32_t> load;
};

// 64-bit hash that is stable across processes and builds (FNV-1a plus a
// splitmix64 finalizer), so a standby coordinator computes the same plan.
uint64_t StableHash64(absl::string_view a, absl::string_view b = {});

// The score of (monitor, agent): higher wins. Mixes two precomputed hashes,
// so a plan over M monitors and A agents costs M*A multiplications, not
// M*A string hashes.
double RendezvousScore(uint64_t monitor_hash, uint64_t agent_hash, int capacity);

// The agent's location for `location_label`: the label's value, or its id
// when it lacks the label (so unlabelled agents are distinct locations).
const std::string& LocationOf(const AgentView& agent, const std::string& location_label);

// Places monitors one at a time against the current loads: used for the
// whole plan, and for a single new or changed monitor without recomputing
// everything. Not thread-safe.
class Planner {
 public:
  // `total_slots` is the sum of `count` over all monitors the plan will hold;
  // it sets each agent's cap.
  Planner(absl::Span<const AgentView> agents, uint64_t total_slots, const ShardOptions& options = {});

  void SetLoad(uint32_t agent, uint32_t load) { load_[agent] = load; }
  const std::vector<uint32_t>& load() const { return load_; }

  // Chooses agents for `m` and counts them in the loads.
  AgentIndexes Place(const ShardMonitor& m);

 private:
  // RendezvousScore, or when every agent has the same capacity the raw
  // hash, which orders agents identically without a logarithm per pair.
  double Score(uint64_t monitor_hash, uint32_t agent) const;

  bool uniform_capacity_ = true;
  absl::Span<const AgentView> agents_;
  std::vector<uint32_t> eligible_;
  std::vector<uint64_t> agent_hash_;
  std::vector<double> caps_;
  std::vector<uint32_t> load_;
  std::vector<std::pair<double, uint32_t>> ranked_;  // scratch
};

ShardPlan ComputePlan(absl::Span<const ShardMonitor> monitors, absl::Span<const AgentView> agents,
                      const ShardOptions& options = {});

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CLUSTER_PLANNER_H_
