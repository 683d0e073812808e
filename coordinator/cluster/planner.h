// Sharding: which agents check which monitor.
//
// Weighted rendezvous (highest-random-weight) hashing with bounded load:
// every (monitor, agent) pair gets a stable pseudo-random score scaled by the
// agent's capacity; a monitor goes to its best-scoring agents that match its
// location selector, one per distinct location, skipping agents already at
// their load cap (`load_factor` x their capacity-weighted fair share, plus
// `cap_slack`). Monitors are placed in id-hash order, so the plan depends on
// the sets of agents and monitors only, never on their order. An agent
// joining or leaving therefore moves only the monitors it wins or held (plus
// the rare spill-over the cap forces), and no agent ends up with more than
// ~1.25x its share.
//
// ComputePlan computes a plan from scratch; ShardTable (shard_table.h) keeps
// the same plan current as agents and monitors come and go.
//
// Example:
//   std::vector<MonitorShape> monitors = ...;   // id hashes, selectors, K
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

namespace uptime::coordinator {

struct AgentView {
  std::string id = {};
  std::map<std::string, std::string> labels = {};
  int capacity = 100;
  // A draining agent keeps nothing: its monitors move before it leaves.
  bool draining = false;
};

// What placement needs to know of a monitor. The views must outlive the call.
struct MonitorShape {
  uint64_t id_hash = 0;                    // StableHash64(monitor id)
  absl::string_view selector = {};        // validated LabelSelector text; empty: any agent
  absl::string_view location_label = {};  // empty: "region"
  int count = 1;                           // distinct locations wanted (< 1 means 1)
};

using AgentIndexes = absl::InlinedVector<uint32_t, 2>;

struct ShardOptions {
  double load_factor = 1.25;
  // Extra monitors every cap allows: with few monitors per agent, random
  // placement exceeds 1.25x the mean by chance, and a capped plan costs a
  // full recomputation per change (shard_table.h).
  uint32_t cap_slack = 16;
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

// The pseudo-random 64 bits RendezvousScore draws from, with the agent's
// hash premultiplied (AgentMix) so the inner loop of a plan is one mix
// (splitmix64's finalizer). Inline: a plan calls it M*A times.
inline uint64_t AgentMix(uint64_t agent_hash) { return agent_hash * 0x9e3779b97f4a7c15ULL; }
inline uint64_t PairHash(uint64_t monitor_hash, uint64_t agent_mix) {
  uint64_t h = monitor_hash ^ agent_mix;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

// The agent's location for `location_label`: the label's value, or its id
// when it lacks the label (so unlabelled agents are distinct locations).
const std::string& LocationOf(const AgentView& agent, const std::string& location_label);

// The plan for `monitors` over `agents`. Selectors must be valid (monitors
// with an invalid one are left unplaced).
ShardPlan ComputePlan(absl::Span<const MonitorShape> monitors, absl::Span<const AgentView> agents,
                      const ShardOptions& options = {});

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CLUSTER_PLANNER_H_
