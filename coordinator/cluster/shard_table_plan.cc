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
    constexpr uint32_t kNoAgent = ~uint32_t{0};
    uint32_t best = kNoAgent, best_with_room = kNoAgent;
    uint64_t best_score = 0, room_score = 0;
    for (const uint32_t i : matching_[shape.selector]) {
      const uint32_t a = eligible_[i];
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
    for (const uint32_t i : matching_[shape.selector]) {
      const uint32_t a = eligible_[i];
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

void ShardTable::NoteOrderChange(uint32_t key) {
  if (!order_valid_) return;
  order_pending_.insert(key);
  // Bounded: with this many changes, sorting from scratch costs no more.
  if (order_pending_.size() > order_.size() / 4 + 1024) {
    order_ = {};
    order_pending_ = {};
    order_valid_ = false;
  }
}

void ShardTable::SortOrder(bool rebuild) {
  if (rebuild || !order_valid_) {
    // Sorting the pairs, not keys compared through hash_, keeps the sort in
    // cache.
    std::vector<std::pair<uint64_t, uint32_t>> pairs;
    pairs.reserve(monitor_count_);
    for (uint32_t key = 0; key < shape_.size(); ++key) {
      if (shape_[key] != kNone) pairs.emplace_back(hash_[key], key);
    }
    std::sort(pairs.begin(), pairs.end());
    order_.clear();
    order_.reserve(pairs.size());
    for (const auto& [hash, key] : pairs) order_.push_back(key);
    order_pending_.clear();
    order_valid_ = true;
    return;
  }
  if (order_pending_.empty()) return;
  // Merge: the entries of the pending keys (stale) and of removed monitors
  // go; the pending keys still present come back at their place.
  std::vector<std::pair<uint64_t, uint32_t>> added;
  std::vector<bool> pending(shape_.size());
  for (uint32_t key : order_pending_) {
    if (key >= shape_.size()) continue;
    pending[key] = true;
    if (shape_[key] != kNone) added.emplace_back(hash_[key], key);
  }
  std::sort(added.begin(), added.end());
  std::vector<uint32_t> merged;
  merged.reserve(order_.size() + added.size());
  size_t next = 0;
  for (uint32_t key : order_) {
    if (shape_[key] == kNone || pending[key]) continue;
    const std::pair<uint64_t, uint32_t> here(hash_[key], key);
    while (next < added.size() && added[next] < here) merged.push_back(added[next++].second);
    merged.push_back(key);
  }
  for (; next < added.size(); ++next) merged.push_back(added[next].second);
  order_ = std::move(merged);
  order_pending_.clear();
}

void ShardTable::PlanCapped() {
  SortOrder(/*rebuild=*/false);
  plan_.first.assign(shape_.size(), kNone);
  plan_.rest.clear();
  plan_load_.assign(agents_.size(), 0);
  // The walk of the class comment: a monitor whose ideal agents all have
  // room takes them (they are its best-ranked agents, and the capped choice
  // only skips full ones); the others are ranked (PlaceCapped).
  constexpr size_t kAhead = 16;  // prefetch distance: the keys are in hash order, so accesses are random
  const size_t n = order_.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      const uint32_t ahead = order_[i + kAhead];
      __builtin_prefetch(&shape_[ahead]);
      __builtin_prefetch(&ideal_.first[ahead]);
      __builtin_prefetch(&plan_.first[ahead], 1);
    }
    const uint32_t key = order_[i];
    if (shape_[key] == kNone) continue;  // removed since the order was sorted
    if (shapes_[shape_[key]].count == 1) {
      const uint32_t a = ideal_.first[key];
      if (a == kNone) continue;  // no matching agent
      if (plan_load_[a] + 1 <= caps_[a]) {
        plan_.first[key] = a;
        ++plan_load_[a];
      } else {
        plan_.first[key] = PlaceCapped(key)[0];
      }
      continue;
    }
    const AgentIndexes ideal = ideal_.Get(key);
    bool room = true;
    for (uint32_t a : ideal) room = room && plan_load_[a] + 1 <= caps_[a];
    if (room) {
      for (uint32_t a : ideal) ++plan_load_[a];
      plan_.Set(key, ideal);
    } else {
      plan_.Set(key, PlaceCapped(key));
    }
  }
}

void ShardTable::EndCapped() {
  capped_ = false;
  drifted_ = false;
  plan_ = {};
  plan_load_ = {};
  order_ = {};
  order_pending_ = {};
  order_valid_ = false;
}

ShardTable::Placement ShardTable::IdealBefore() const {
  Placement before = ideal_;
  for (const auto& [key, agents] : touched_) before.Set(key, agents);
  return before;
}

void ShardTable::DiffAll(const Placement& before, std::vector<PlacementChange>* changes) const {
  if (changes == nullptr) return;
  const Placement& now = capped_ ? plan_ : ideal_;
  // First agents side by side (sequential), then the keys with more agents
  // on either side.
  std::vector<uint32_t> keys;
  const size_t n = std::max(before.first.size(), now.first.size());
  for (uint32_t key = 0; key < n; ++key) {
    const uint32_t was = key < before.first.size() ? before.first[key] : kNone;
    const uint32_t is = key < now.first.size() ? now.first[key] : kNone;
    if (was != is) keys.push_back(key);
  }
  if (!before.rest.empty() || !now.rest.empty()) {
    for (const auto& [key, agents] : before.rest) keys.push_back(key);
    for (const auto& [key, agents] : now.rest) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }
  for (uint32_t key : keys) {
    AgentIndexes was = before.Get(key);
    AgentIndexes after = now.Get(key);
    if (was != after) changes->push_back({.monitor = key, .before = std::move(was), .after = std::move(after)});
  }
}

void ShardTable::RecomputeAll(std::vector<PlacementChange>* changes) {
  // What each monitor had before this call, whatever the call did so far.
  Placement before;
  const bool was_capped = capped_;
  if (changes != nullptr) before = was_capped ? std::move(plan_) : IdealBefore();
  ideal_load_.assign(agents_.size(), 0);
  ideal_.rest.clear();
  ideal_.first.assign(shape_.size(), kNone);
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    if (shape_[key] == kNone) continue;
    const AgentIndexes next = IdealOf(hash_[key], shapes_[shape_[key]]);
    for (uint32_t a : next) ++ideal_load_[a];
    ideal_.Set(key, next);
  }
  ComputeCaps();
  if (IdealFits()) {
    EndCapped();
  } else {
    SortOrder(/*rebuild=*/true);
    PlanCapped();
    capped_ = true;
    drifted_ = false;
  }
  ++stats_.full;
  DiffAll(before, changes);
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
      Placement before = std::move(plan_);
      EndCapped();
      DiffAll(before, changes);
    }
    ++stats_.incremental;
  } else if (was_capped && monitor_key != kNone) {
    // A monitor change while capped: placed against the loads (see the
    // class comment).
    AgentIndexes before = plan_.Get(monitor_key);
    for (uint32_t a : before) --plan_load_[a];
    AgentIndexes after = PlaceCapped(monitor_key);
    plan_.Set(monitor_key, after);
    if (changes != nullptr && before != after) {
      changes->push_back({.monitor = monitor_key, .before = std::move(before), .after = std::move(after)});
    }
    drifted_ = true;
    ++stats_.drifted;
  } else {
    // An agent change while capped, or a change that caps the plan: replay
    // the walk over the (now current) ideal placement.
    Placement before;
    if (changes != nullptr) before = was_capped ? std::move(plan_) : IdealBefore();
    PlanCapped();
    capped_ = true;
    drifted_ = false;
    ++stats_.replayed;
    DiffAll(before, changes);
  }
  touched_.clear();
}

}  // namespace uptime::coordinator
