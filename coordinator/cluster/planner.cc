#include "coordinator/cluster/planner.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace uptime::coordinator {
namespace {

const std::string& DefaultLocationLabel() {
  static const std::string* label = new std::string("region");
  return *label;
}

uint64_t Mix64(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

uint64_t PairHash(uint64_t monitor_hash, uint64_t agent_hash) {
  return Mix64(monitor_hash ^ (agent_hash * 0x9e3779b97f4a7c15ULL));
}

}  // namespace

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
  return Mix64(h);
}

double RendezvousScore(uint64_t monitor_hash, uint64_t agent_hash, int capacity) {
  const uint64_t h = PairHash(monitor_hash, agent_hash);
  // Map to (0, 1), then weight: -w / ln(u) is the standard weighted
  // rendezvous score, which places monitors in proportion to capacity.
  const double u = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;
  return -std::max(1, capacity) / std::log(u);
}

const std::string& LocationOf(const AgentView& agent, const std::string& location_label) {
  auto it = agent.labels.find(location_label);
  return it == agent.labels.end() ? agent.id : it->second;
}

Planner::Planner(absl::Span<const AgentView> agents, uint64_t total_slots, const ShardOptions& options)
    : agents_(agents), agent_hash_(agents.size()), caps_(agents.size(), 0), load_(agents.size(), 0) {
  double total_weight = 0;
  for (size_t a = 0; a < agents.size(); ++a) {
    agent_hash_[a] = StableHash64(agents[a].id);
    if (agents[a].draining) continue;
    eligible_.push_back(static_cast<uint32_t>(a));
    total_weight += std::max(1, agents[a].capacity);
  }
  for (uint32_t a : eligible_) {
    uniform_capacity_ = uniform_capacity_ && agents[a].capacity == agents[eligible_[0]].capacity;
    caps_[a] = std::ceil(options.load_factor * static_cast<double>(total_slots) *
                         std::max(1, agents[a].capacity) / total_weight);
  }
}

double Planner::Score(uint64_t monitor_hash, uint32_t agent) const {
  if (uniform_capacity_) return static_cast<double>(PairHash(monitor_hash, agent_hash_[agent]) >> 11);
  return RendezvousScore(monitor_hash, agent_hash_[agent], agents_[agent].capacity);
}

AgentIndexes Planner::Place(const ShardMonitor& m) {
  AgentIndexes chosen;
  if (eligible_.empty()) return chosen;
  const bool any_agent = m.selector == nullptr || m.selector->empty();
  if (m.count <= 1 && any_agent) {
    // The common case, kept to one pass with no sorting: the best agent with
    // room, else the best overall.
    uint32_t best = 0, best_with_room = 0;
    double best_score = -1, best_room_score = -1;
    for (uint32_t a : eligible_) {
      const double score = Score(m.id_hash, a);
      if (score > best_score) best_score = score, best = a;
      if (load_[a] + 1 <= caps_[a] && score > best_room_score) best_room_score = score, best_with_room = a;
    }
    const uint32_t pick = best_room_score >= 0 ? best_with_room : best;
    chosen.push_back(pick);
    ++load_[pick];
    return chosen;
  }
  const std::string& label = m.location_label ? *m.location_label : DefaultLocationLabel();
  ranked_.clear();
  for (uint32_t a : eligible_) {
    if (!any_agent && !m.selector->Matches(agents_[a].labels)) continue;
    ranked_.emplace_back(Score(m.id_hash, a), a);
  }
  std::sort(ranked_.begin(), ranked_.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  absl::InlinedVector<const std::string*, 4> used_locations;
  auto location_free = [&](uint32_t a) {
    const std::string& loc = LocationOf(agents_[a], label);
    return std::none_of(used_locations.begin(), used_locations.end(),
                        [&](const std::string* u) { return *u == loc; });
  };
  // The first pass honours the cap; the second takes the best remaining
  // agents when every eligible one is full (a selector can force that).
  for (int pass = 0; pass < 2 && static_cast<int>(chosen.size()) < m.count; ++pass) {
    for (const auto& [score, a] : ranked_) {
      if (static_cast<int>(chosen.size()) >= m.count) break;
      if (std::find(chosen.begin(), chosen.end(), a) != chosen.end()) continue;
      if (!location_free(a)) continue;
      if (pass == 0 && load_[a] + 1 > caps_[a]) continue;
      chosen.push_back(a);
      used_locations.push_back(&LocationOf(agents_[a], label));
      ++load_[a];
    }
  }
  return chosen;
}

ShardPlan ComputePlan(absl::Span<const ShardMonitor> monitors, absl::Span<const AgentView> agents,
                      const ShardOptions& options) {
  uint64_t total_slots = 0;
  for (const ShardMonitor& m : monitors) total_slots += std::max(1, m.count);
  Planner planner(agents, total_slots, options);
  // Monitors in hash order: a fixed order independent of the input's, so
  // every coordinator computes the same plan.
  std::vector<uint32_t> order(monitors.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return monitors[x].id_hash < monitors[y].id_hash;
  });
  ShardPlan plan;
  plan.assignments.resize(monitors.size());
  for (uint32_t mi : order) plan.assignments[mi] = planner.Place(monitors[mi]);
  plan.load = planner.load();
  return plan;
}

}  // namespace uptime::coordinator
