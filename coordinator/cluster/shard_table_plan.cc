// ShardTable's caps and plans: the load caps, the capped plan computed from
// scratch, the full recomputation, and Finish, which ends every mutating
// call by emitting the changes and choosing between the ideal and the
// capped plan.
#include "coordinator/cluster/shard_table.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"

namespace uptime::coordinator {

// ---------------------------------------------------------------------------
// Caps and the capped plan

bool ShardTable::IsUniform() const {
  for (uint32_t a : eligible_) {
    if (agents_[a].view.capacity != agents_[eligible_[0]].view.capacity) return false;
  }
  return true;
}

void ShardTable::ComputeCaps() {
  total_weight_ = 0;
  for (uint32_t a : eligible_) total_weight_ += std::max(1, agents_[a].view.capacity);
  caps_.assign(agents_.size(), 0);
  for (uint32_t a : eligible_) {
    caps_[a] = std::ceil(options_.load_factor * static_cast<double>(total_slots_) *
                         std::max(1, agents_[a].view.capacity) / total_weight_) +
               options_.cap_slack;
  }
}

bool ShardTable::IdealFits() const {
  for (uint32_t a : eligible_) {
    if (ideal_load_[a] > caps_[a]) return false;
  }
  return true;
}

AgentIndexes ShardTable::PlaceCapped(uint32_t key) {
  AgentIndexes chosen;
  if (eligible_.empty() || shape_[key] == kNone) return chosen;
  const Shape& shape = shapes_[shape_[key]];
  const uint64_t h = hash_[key];
  if (shape.count == 1 && uniform_) {
    // As below, in integers over the side-by-side hashes (the inner loop of
    // a capped plan).
    constexpr size_t kNoAgent = ~size_t{0};
    size_t best = kNoAgent, best_with_room = kNoAgent;
    uint64_t best_score = 0, room_score = 0;
    for (size_t i = 0; i < eligible_.size(); ++i) {
      const uint32_t a = eligible_[i];
      if (shape.selector != 0 && !agents_[a].matches[shape.selector]) continue;
      const uint64_t score = PairHash(h, eligible_mix_[i]) >> 11;
      if (best == kNoAgent || score > best_score ||
          (score == best_score && eligible_hash_[i] > eligible_hash_[best])) {
        best = i, best_score = score;
      }
      if (plan_load_[a] + 1 <= caps_[a] &&
          (best_with_room == kNoAgent || score > room_score ||
           (score == room_score && eligible_hash_[i] > eligible_hash_[best_with_room]))) {
        best_with_room = i, room_score = score;
      }
    }
    if (best == kNoAgent) return chosen;
    const uint32_t pick = eligible_[best_with_room != kNoAgent ? best_with_room : best];
    chosen.push_back(pick);
    ++plan_load_[pick];
    return chosen;
  }
  if (shape.count == 1) {
    // The best matching agent with room, else the best matching one: what
    // the two passes below come to for one location, without sorting.
    Rank best{}, best_with_room{};
    bool any = false, any_with_room = false;
    for (size_t i = 0; i < eligible_.size(); ++i) {
      const uint32_t a = eligible_[i];
      if (shape.selector != 0 && !agents_[a].matches[shape.selector]) continue;
      const Rank r = EligibleRank(h, i);
      if (!any || Better(r, best)) best = r, any = true;
      if (plan_load_[a] + 1 <= caps_[a] && (!any_with_room || Better(r, best_with_room))) {
        best_with_room = r, any_with_room = true;
      }
    }
    if (!any) return chosen;
    const uint32_t pick = any_with_room ? best_with_room.slot : best.slot;
    chosen.push_back(pick);
    ++plan_load_[pick];
    return chosen;
  }
  std::vector<Rank> ranked;
  for (uint32_t a : eligible_) {
    if (Matches(shape, a)) ranked.push_back(RankOf(h, a));
  }
  std::sort(ranked.begin(), ranked.end(), Better);
  absl::InlinedVector<uint32_t, 4> used;
  // The first pass honours the cap; the second takes the best remaining
  // agents when every eligible one is full (a selector can force that).
  for (int pass = 0; pass < 2 && chosen.size() < shape.count; ++pass) {
    for (const Rank& r : ranked) {
      if (chosen.size() >= shape.count) break;
      const uint32_t a = r.slot;
      const uint32_t loc = agents_[a].location[shape.label];
      if (std::find(chosen.begin(), chosen.end(), a) != chosen.end()) continue;
      if (std::find(used.begin(), used.end(), loc) != used.end()) continue;
      if (pass == 0 && plan_load_[a] + 1 > caps_[a]) continue;
      chosen.push_back(a);
      used.push_back(loc);
      ++plan_load_[a];
    }
  }
  return chosen;
}

void ShardTable::PlanCapped() {
  // Id-hash order: fixed by the monitors themselves, not by their keys.
  // (Sorting the pairs, not keys compared through hash_, keeps the sort in
  // cache.)
  std::vector<std::pair<uint64_t, uint32_t>> order;
  order.reserve(monitor_count_);
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    if (shape_[key] != kNone) order.emplace_back(hash_[key], key);
  }
  std::sort(order.begin(), order.end());
  plan_.assign(shape_.size(), AgentIndexes());
  plan_load_.assign(agents_.size(), 0);
  for (const auto& [hash, key] : order) plan_[key] = PlaceCapped(key);
}

AgentIndexes ShardTable::PlacedBefore(uint32_t key, bool was_capped, const std::vector<AgentIndexes>& old_plan,
                                      absl::FunctionRef<AgentIndexes(uint32_t)> untouched_ideal) const {
  AgentIndexes agents;
  if (was_capped) {
    if (key < old_plan.size()) agents = old_plan[key];
  } else if (auto it = touched_.find(key); it != touched_.end()) {
    agents = it->second;
  } else {
    agents = untouched_ideal(key);
  }
  return agents;
}

template <typename Before>
void ShardTable::DiffAll(const Before& before, std::vector<PlacementChange>* changes) const {
  if (changes == nullptr) return;
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    AgentIndexes after = assignment(key);
    AgentIndexes was = before(key);
    if (was != after) changes->push_back({.monitor = key, .before = std::move(was), .after = std::move(after)});
  }
}

void ShardTable::RecomputeAll(std::vector<PlacementChange>* changes) {
  // What each monitor had before this call, whatever the call did so far.
  std::vector<uint32_t> old_first;
  absl::flat_hash_map<uint32_t, AgentIndexes> old_rest;
  std::vector<AgentIndexes> old_plan;
  const bool was_capped = capped_;
  if (changes != nullptr) {
    if (was_capped) {
      old_plan = std::move(plan_);
    } else {
      old_first = first_;
      old_rest = rest_;
    }
  }
  ideal_load_.assign(agents_.size(), 0);
  rest_.clear();
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    if (shape_[key] == kNone) {
      first_[key] = kNone;
      continue;
    }
    const AgentIndexes next = IdealOf(hash_[key], shapes_[shape_[key]]);
    for (uint32_t a : next) ++ideal_load_[a];
    first_[key] = next.empty() ? kNone : next[0];
    if (next.size() > 1) rest_[key] = AgentIndexes(next.begin() + 1, next.end());
  }
  ComputeCaps();
  capped_ = !IdealFits();
  if (capped_) {
    PlanCapped();
  } else {
    plan_ = {};
    plan_load_ = {};
  }
  drifted_ = false;
  ++stats_.full;
  DiffAll(
      [&](uint32_t key) {
        return PlacedBefore(key, was_capped, old_plan, [&](uint32_t k) {
          AgentIndexes agents;
          if (k < old_first.size() && old_first[k] != kNone) {
            agents.push_back(old_first[k]);
            if (auto rest = old_rest.find(k); rest != old_rest.end()) {
              agents.insert(agents.end(), rest->second.begin(), rest->second.end());
            }
          }
          return agents;
        });
      },
      changes);
  touched_.clear();
}

void ShardTable::Finish(bool was_capped, uint32_t monitor_key, std::vector<PlacementChange>* changes) {
  ComputeCaps();
  if (IdealFits()) {
    if (!was_capped) {
      if (changes != nullptr) {
        const size_t start = changes->size();
        for (auto& [key, before] : touched_) {
          AgentIndexes after = Ideal(key);
          if (before != after) changes->push_back({.monitor = key, .before = before, .after = std::move(after)});
        }
        // Key order, so callers see the same sequence as from a full plan.
        std::sort(changes->begin() + start, changes->end(),
                  [](const PlacementChange& x, const PlacementChange& y) { return x.monitor < y.monitor; });
      }
    } else {
      // Back under the caps: the plan is the ideal one again.
      std::vector<AgentIndexes> old_plan = std::move(plan_);
      capped_ = false;
      drifted_ = false;
      plan_ = {};
      plan_load_ = {};
      DiffAll(
          [&](uint32_t key) {
            AgentIndexes agents;
            if (key < old_plan.size()) agents = old_plan[key];
            return agents;
          },
          changes);
    }
    ++stats_.incremental;
  } else if (was_capped && monitor_key != kNone) {
    // A monitor change while capped: placed against the loads (see the
    // class comment).
    if (plan_.size() < shape_.size()) plan_.resize(shape_.size());
    AgentIndexes before = std::move(plan_[monitor_key]);
    for (uint32_t a : before) --plan_load_[a];
    plan_[monitor_key] = PlaceCapped(monitor_key);
    if (changes != nullptr && before != plan_[monitor_key]) {
      changes->push_back({.monitor = monitor_key, .before = std::move(before), .after = plan_[monitor_key]});
    }
    drifted_ = true;
    ++stats_.drifted;
  } else {
    std::vector<AgentIndexes> old_plan;
    if (was_capped) old_plan = std::move(plan_);
    PlanCapped();
    capped_ = true;
    drifted_ = false;
    ++stats_.full;
    DiffAll(
        [&](uint32_t key) {
          return PlacedBefore(key, was_capped, old_plan, [this](uint32_t k) { return Ideal(k); });
        },
        changes);
  }
  touched_.clear();
}

}  // namespace uptime::coordinator
