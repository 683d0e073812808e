// ShardTable's ranking and ideal placement: rendezvous scores, the best
// agents of one monitor (uncapped), and the incremental ideal changes for an
// agent joining or leaving. The class comment in shard_table.h says why
// these updates equal the full plan.
#include "coordinator/cluster/shard_table.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"

namespace uptime::coordinator {

// ---------------------------------------------------------------------------
// Ranking

double ShardTable::Score(uint64_t monitor_hash, uint32_t slot) const {
  const Agent& agent = agents_[slot];
  // With equal capacities the raw hash orders agents exactly as the
  // weighted score does, without a logarithm per pair.
  if (uniform_) return static_cast<double>(PairHash(monitor_hash, agent.mixed) >> 11);
  return RendezvousScore(monitor_hash, agent.hash, agent.view.capacity);
}

ShardTable::Rank ShardTable::RankOf(uint64_t monitor_hash, uint32_t slot) const {
  return Rank{Score(monitor_hash, slot), agents_[slot].hash, slot};
}

ShardTable::Rank ShardTable::EligibleRank(uint64_t monitor_hash, size_t i) const {
  if (!uniform_) return RankOf(monitor_hash, eligible_[i]);
  return Rank{static_cast<double>(PairHash(monitor_hash, eligible_mix_[i]) >> 11), eligible_hash_[i], eligible_[i]};
}

bool ShardTable::Better(const Rank& x, const Rank& y) {
  // Ties go by agent hash, not slot: slots depend on the order agents came
  // in, and the plan must not.
  if (x.score != y.score) return x.score > y.score;
  if (x.hash != y.hash) return x.hash > y.hash;
  return x.slot < y.slot;
}

bool ShardTable::Matches(const Shape& shape, uint32_t slot) const {
  return shape.selector == 0 || agents_[slot].matches[shape.selector];
}

void ShardTable::TopDistinct(uint64_t monitor_hash, const Shape& shape,
                             absl::Span<const uint32_t> candidates, AgentIndexes* out) const {
  AgentIndexes& chosen = *out;
  absl::InlinedVector<Rank, 16> ranks;
  for (uint32_t a : candidates) ranks.push_back(RankOf(monitor_hash, a));
  absl::InlinedVector<uint32_t, 4> used;  // location ids
  // K selections of the best agent in an unused location: the greedy walk
  // down the ranking, in O(K * candidates) instead of a sort.
  while (chosen.size() < shape.count) {
    const Rank* best = nullptr;
    for (const Rank& r : ranks) {
      const uint32_t loc = agents_[r.slot].location[shape.label];
      if (std::find(used.begin(), used.end(), loc) != used.end()) continue;
      if (best == nullptr || Better(r, *best)) best = &r;
    }
    if (best == nullptr) break;
    chosen.push_back(best->slot);
    used.push_back(agents_[best->slot].location[shape.label]);
  }
}

AgentIndexes ShardTable::IdealOf(uint64_t monitor_hash, const Shape& shape) const {
  // One return variable on every path: GCC's -Wmaybe-uninitialized misfires
  // on InlinedVector moves otherwise.
  AgentIndexes chosen;
  if (eligible_.empty()) {
    // nobody to place on
  } else if (shape.count == 1 && shape.selector == 0 && uniform_) {
    // The common case, and the inner loop of a full plan: integer compares
    // over the side-by-side hashes (the same order as Better).
    size_t best = 0;
    uint64_t best_score = PairHash(monitor_hash, eligible_mix_[0]) >> 11;
    for (size_t i = 1; i < eligible_.size(); ++i) {
      const uint64_t score = PairHash(monitor_hash, eligible_mix_[i]) >> 11;
      if (score > best_score || (score == best_score && eligible_hash_[i] > eligible_hash_[best])) {
        best_score = score;
        best = i;
      }
    }
    chosen.push_back(eligible_[best]);
  } else if (shape.count == 1) {
    // One location: the best matching agent, without the location walk.
    Rank best{};
    bool any = false;
    for (const uint32_t i : matching_[shape.selector]) {
      const Rank r = EligibleRank(monitor_hash, i);
      if (!any || Better(r, best)) best = r, any = true;
    }
    if (any) chosen.push_back(best.slot);
  } else {
    absl::InlinedVector<uint32_t, 16> candidates;
    for (uint32_t a : eligible_) {
      if (Matches(shape, a)) candidates.push_back(a);
    }
    TopDistinct(monitor_hash, shape, candidates, &chosen);
  }
  return chosen;
}

// ---------------------------------------------------------------------------
// Ideal placement

AgentIndexes ShardTable::Ideal(uint32_t key) const {
  return ideal_.Get(key, shape_[key] == kNone || shapes_[shape_[key]].count > 1);
}

void ShardTable::SetIdeal(uint32_t key, const AgentIndexes& agents) {
  // Read without the shape: SetMonitor drops the old shape's agents.
  AgentIndexes old = ideal_.Get(key);
  touched_.try_emplace(key, old);
  for (uint32_t a : old) --ideal_load_[a];
  for (uint32_t a : agents) ++ideal_load_[a];
  ideal_.Set(key, agents);
}

void ShardTable::JoinIdeal(uint32_t slot) {
  std::vector<uint8_t> shape_matches(shapes_.size());
  for (size_t s = 0; s < shapes_.size(); ++s) shape_matches[s] = Matches(shapes_[s], slot);
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    if (shape_[key] == kNone || !shape_matches[shape_[key]]) continue;
    const Shape& shape = shapes_[shape_[key]];
    const uint64_t h = hash_[key];
    if (shape.count == 1) {
      const uint32_t holder = ideal_.first[key];
      if (holder == kNone || Better(RankOf(h, slot), RankOf(h, holder))) SetIdeal(key, {slot});
      continue;
    }
    // The best K distinct locations of (agents ∪ {slot}) are among the
    // current best K and the newcomer (greedy selection on a partition
    // matroid), so no other agent needs ranking.
    AgentIndexes current = Ideal(key);
    AgentIndexes candidates = current;
    candidates.push_back(slot);
    AgentIndexes next;
    TopDistinct(h, shape, candidates, &next);
    if (next != current) SetIdeal(key, next);
  }
}

void ShardTable::LeaveIdeal(uint32_t slot) {
  // Only the monitors `slot` held can change: dropping an agent a monitor
  // did not choose leaves its best K as they were.
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    if (shape_[key] == kNone) continue;
    const Shape& shape = shapes_[shape_[key]];
    bool held = ideal_.first[key] == slot;
    if (!held && shape.count > 1) {
      auto it = ideal_.rest.find(key);
      held = it != ideal_.rest.end() && std::find(it->second.begin(), it->second.end(), slot) != it->second.end();
    }
    if (held) SetIdeal(key, IdealOf(hash_[key], shape));
  }
}

}  // namespace uptime::coordinator
