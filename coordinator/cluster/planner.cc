#include "coordinator/cluster/planner.h"

#include <algorithm>
#include <cmath>

#include "coordinator/cluster/shard_table.h"

namespace uptime::coordinator {

uint64_t StableHash64(absl::string_view a, absl::string_view b) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix_in = [&h](absl::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  };
  mix_in(a);
  h ^= 0xff;  // separator, so ("ab","c") and ("a","bc") differ
  h *= 0x100000001b3ULL;
  mix_in(b);
  return PairHash(h, 0);  // the same finalizer
}

double RendezvousScore(uint64_t monitor_hash, uint64_t agent_hash, int capacity) {
  const uint64_t h = PairHash(monitor_hash, AgentMix(agent_hash));
  // Map to (0, 1), then weight: -w / ln(u) is the standard weighted
  // rendezvous score, which places monitors in proportion to capacity.
  const double u = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;
  return -std::max(1, capacity) / std::log(u);
}

const std::string& LocationOf(const AgentView& agent, const std::string& location_label) {
  auto it = agent.labels.find(location_label);
  return it == agent.labels.end() ? agent.id : it->second;
}

ShardPlan ComputePlan(absl::Span<const MonitorShape> monitors, absl::Span<const AgentView> agents,
                      const ShardOptions& options) {
  // One table, loaded without placing, then one full plan: the same code an
  // incremental table falls back to, so the two cannot disagree on a rule.
  ShardTable table(options);
  std::vector<PlacementChange> ignored;
  std::vector<uint32_t> slots;
  slots.reserve(agents.size());
  for (const AgentView& agent : agents) slots.push_back(table.AddAgent(agent, &ignored));
  table.Reserve(monitors.size());
  (void)table.LoadMonitors(monitors);
  ShardPlan plan;
  plan.assignments.resize(monitors.size());
  // AddAgent hands out slots 0, 1, ... to a fresh table: slots are indexes.
  for (uint32_t i = 0; i < monitors.size(); ++i) plan.assignments[i] = table.assignment(i);
  plan.load.resize(agents.size());
  for (size_t a = 0; a < agents.size(); ++a) plan.load[a] = table.load(slots[a]);
  return plan;
}

}  // namespace uptime::coordinator
