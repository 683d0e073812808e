#include "coordinator/cluster/testing/reference_plan.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace uptime::coordinator::test {

// The capped plan the way the class comment defines it, written
// independently of ShardTable (whose full plan, ComputePlan, shares the
// incremental code): every monitor in id-hash order takes its best-ranked
// matching agents at distinct locations that have room, then, if some
// locations are still missing, the best remaining ones. Returns agent
// indexes per monitor.
std::vector<AgentIndexes> ReferencePlan(absl::Span<const MonitorShape> monitors, absl::Span<const AgentView> agents,
                                        const ShardOptions& options) {
  std::vector<uint32_t> eligible;
  for (uint32_t a = 0; a < agents.size(); ++a) {
    if (!agents[a].draining) eligible.push_back(a);
  }
  bool uniform = true;
  for (uint32_t a : eligible) uniform = uniform && agents[a].capacity == agents[eligible[0]].capacity;
  std::vector<std::optional<LabelSelector>> selectors;
  double total_slots = 0, total_weight = 0;
  for (const MonitorShape& m : monitors) {
    absl::StatusOr<LabelSelector> parsed = LabelSelector::Parse("s", m.selector);
    selectors.push_back(parsed.ok() ? std::optional<LabelSelector>(*parsed) : std::nullopt);
    if (parsed.ok()) total_slots += std::clamp(m.count, 1, 0xffff);
  }
  for (uint32_t a : eligible) total_weight += std::max(1, agents[a].capacity);
  std::vector<double> caps(agents.size());
  for (uint32_t a : eligible) {
    caps[a] = std::ceil(options.load_factor * total_slots * std::max(1, agents[a].capacity) / total_weight) +
              options.cap_slack;
  }
  std::vector<uint32_t> order(monitors.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t x, uint32_t y) { return monitors[x].id_hash < monitors[y].id_hash; });
  std::vector<uint32_t> load(agents.size());
  std::vector<AgentIndexes> plan(monitors.size());
  for (uint32_t i : order) {
    const MonitorShape& m = monitors[i];
    if (!selectors[i]) continue;
    struct Ranked {
      double score;
      uint64_t hash;
      uint32_t agent;
    };
    std::vector<Ranked> ranked;
    for (uint32_t a : eligible) {
      if (!selectors[i]->Matches(agents[a].labels)) continue;
      const uint64_t agent_hash = StableHash64(agents[a].id);
      const double score = uniform ? static_cast<double>(PairHash(m.id_hash, AgentMix(agent_hash)) >> 11)
                                   : RendezvousScore(m.id_hash, agent_hash, agents[a].capacity);
      ranked.push_back({score, agent_hash, a});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& x, const Ranked& y) {
      return x.score != y.score ? x.score > y.score : x.hash > y.hash;
    });
    const std::string label = m.location_label.empty() ? "region" : std::string(m.location_label);
    const size_t count = std::clamp(m.count, 1, 0xffff);
    std::set<std::string> used;
    for (int pass = 0; pass < 2; ++pass) {
      for (const Ranked& r : ranked) {
        if (plan[i].size() >= count) break;
        const std::string& location = LocationOf(agents[r.agent], label);
        if (std::find(plan[i].begin(), plan[i].end(), r.agent) != plan[i].end() || used.contains(location)) continue;
        if (pass == 0 && load[r.agent] + 1 > caps[r.agent]) continue;
        plan[i].push_back(r.agent);
        used.insert(location);
        ++load[r.agent];
      }
    }
  }
  return plan;
}

}  // namespace uptime::coordinator::test
