#include "coordinator/sharding.h"

#include <algorithm>
#include <cmath>
#include <set>

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
  // splitmix64 finalizer: FNV alone has weak low bits.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

const std::string& LocationOf(const AgentView& agent, const std::string& location_label) {
  auto it = agent.labels.find(location_label);
  return it == agent.labels.end() ? agent.id : it->second;
}

std::vector<std::string> PickAgents(absl::string_view monitor_id, const LabelSelector& selector,
                                    const std::string& location_label, int count,
                                    absl::Span<const AgentView* const> agents) {
  std::vector<std::pair<double, const AgentView*>> scored;
  scored.reserve(agents.size());
  for (const AgentView* agent : agents) {
    if (!selector.Matches(agent->labels)) continue;
    // Map the hash to (0, 1), then weight: -w / ln(u) is the standard weighted
    // rendezvous score, proportional placement by capacity.
    const uint64_t h = StableHash64(monitor_id, agent->id);
    const double u = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;
    scored.emplace_back(-std::max(1, agent->capacity) / std::log(u), agent);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second->id < y.second->id;
  });
  std::vector<std::string> picked;
  std::set<std::string> locations;
  for (const auto& [score, agent] : scored) {
    if (static_cast<int>(picked.size()) >= count) break;
    if (!locations.insert(LocationOf(*agent, location_label)).second) continue;
    picked.push_back(agent->id);
  }
  return picked;
}

}  // namespace uptime::coordinator
