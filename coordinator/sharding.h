// Sharding: which agents check which monitor. Pure functions, no state.
//
// Weighted rendezvous (highest-random-weight) hashing: every (monitor, agent)
// pair gets a stable pseudo-random score scaled by the agent's capacity; a
// monitor goes to the best-scoring agents that match its location selector,
// one per distinct location. An agent joining or leaving therefore moves only
// the monitors it wins or held.
#ifndef UPTIME_COORDINATOR_SHARDING_H_
#define UPTIME_COORDINATOR_SHARDING_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/labels.h"

namespace uptime::coordinator {

struct AgentView {
  std::string id;
  std::map<std::string, std::string> labels;
  int capacity = 100;
};

// 64-bit hash that is stable across processes and builds (FNV-1a + mixing),
// so a standby coordinator computes the same placement.
uint64_t StableHash64(absl::string_view a, absl::string_view b = {});

// The agent's location for `location_label`: the label's value, or its id
// when it lacks the label (so unlabelled agents are distinct locations).
const std::string& LocationOf(const AgentView& agent, const std::string& location_label);

// Up to `count` agents matching `selector`, in distinct locations, best score
// first. Fewer when not enough distinct locations exist.
std::vector<std::string> PickAgents(absl::string_view monitor_id, const LabelSelector& selector,
                                    const std::string& location_label, int count,
                                    absl::Span<const AgentView* const> agents);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_SHARDING_H_
