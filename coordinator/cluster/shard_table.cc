#include "coordinator/cluster/shard_table.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace uptime::coordinator {
namespace {

constexpr absl::string_view kDefaultLocationLabel = "region";

template <typename V>
size_t VectorBytes(const std::vector<V>& v) {
  return v.capacity() * sizeof(V);
}

}  // namespace

ShardTable::ShardTable(const ShardOptions& options) : options_(options) {
  // Id 0 of each interning table is the default: any agent, "region".
  selector_text_.emplace_back();
  selectors_.emplace_back();
  selector_ids_.emplace("", 0);
  labels_.emplace_back(kDefaultLocationLabel);
  label_ids_.emplace(std::string(kDefaultLocationLabel), 0);
}

// ---------------------------------------------------------------------------
// Interning

absl::StatusOr<uint32_t> ShardTable::SelectorId(absl::string_view text) {
  if (auto it = selector_ids_.find(text); it != selector_ids_.end()) return it->second;
  absl::StatusOr<LabelSelector> parsed = LabelSelector::Parse("locations.selector", text);
  if (!parsed.ok()) return parsed.status();
  const uint32_t id = static_cast<uint32_t>(selectors_.size());
  selector_text_.emplace_back(text);
  selectors_.push_back(*std::move(parsed));
  selector_ids_.emplace(std::string(text), id);
  for (Agent& agent : agents_) {
    if (agent.live) agent.matches.push_back(selectors_[id].Matches(agent.view.labels));
  }
  return id;
}

uint32_t ShardTable::LabelId(absl::string_view label) {
  if (label.empty()) label = kDefaultLocationLabel;
  if (auto it = label_ids_.find(label); it != label_ids_.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(labels_.size());
  labels_.emplace_back(label);
  label_ids_.emplace(std::string(label), id);
  for (Agent& agent : agents_) {
    if (agent.live) agent.location.push_back(LocationId(LocationOf(agent.view, labels_[id])));
  }
  return id;
}

uint32_t ShardTable::LocationId(const std::string& value) {
  // Never forgotten: bounded by the label values agents ever had.
  return location_ids_.try_emplace(value, static_cast<uint32_t>(location_ids_.size())).first->second;
}

uint32_t ShardTable::ShapeId(const Shape& shape) {
  const uint64_t packed = (static_cast<uint64_t>(shape.selector) << 40) |
                          (static_cast<uint64_t>(shape.label) << 16) | shape.count;
  auto [it, added] = shape_ids_.try_emplace(packed, static_cast<uint32_t>(shapes_.size()));
  if (added) shapes_.push_back(shape);
  return it->second;
}

void ShardTable::DescribeAgent(Agent& agent) {
  agent.hash = StableHash64(agent.view.id);
  agent.mixed = AgentMix(agent.hash);
  agent.location.clear();
  for (const std::string& label : labels_) agent.location.push_back(LocationId(LocationOf(agent.view, label)));
  agent.matches.clear();
  for (size_t s = 0; s < selectors_.size(); ++s) {
    agent.matches.push_back(s == 0 || selectors_[s].Matches(agent.view.labels));
  }
}

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
    for (size_t i = 0; i < eligible_.size(); ++i) {
      if (!Matches(shape, eligible_[i])) continue;
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
  AgentIndexes agents;
  if (first_[key] == kNone) return agents;
  agents.push_back(first_[key]);
  if (shape_[key] != kNone && shapes_[shape_[key]].count > 1) {
    if (auto it = rest_.find(key); it != rest_.end()) agents.insert(agents.end(), it->second.begin(), it->second.end());
  }
  return agents;
}

void ShardTable::SetIdeal(uint32_t key, const AgentIndexes& agents) {
  AgentIndexes old = Ideal(key);
  touched_.try_emplace(key, old);
  for (uint32_t a : old) --ideal_load_[a];
  for (uint32_t a : agents) ++ideal_load_[a];
  first_[key] = agents.empty() ? kNone : agents[0];
  if (agents.size() > 1) {
    rest_[key] = AgentIndexes(agents.begin() + 1, agents.end());
  } else if (old.size() > 1) {
    rest_.erase(key);
  }
}

void ShardTable::JoinIdeal(uint32_t slot) {
  std::vector<uint8_t> shape_matches(shapes_.size());
  for (size_t s = 0; s < shapes_.size(); ++s) shape_matches[s] = Matches(shapes_[s], slot);
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    if (shape_[key] == kNone || !shape_matches[shape_[key]]) continue;
    const Shape& shape = shapes_[shape_[key]];
    const uint64_t h = hash_[key];
    if (shape.count == 1) {
      const uint32_t holder = first_[key];
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
    bool held = first_[key] == slot;
    if (!held && shape.count > 1) {
      auto it = rest_.find(key);
      held = it != rest_.end() && std::find(it->second.begin(), it->second.end(), slot) != it->second.end();
    }
    if (held) SetIdeal(key, IdealOf(hash_[key], shape));
  }
}

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

// ---------------------------------------------------------------------------
// Mutators

void ShardTable::SetEligible(uint32_t slot, bool eligible) {
  Agent& agent = agents_[slot];
  if (agent.eligible == eligible) return;
  agent.eligible = eligible;
  auto it = std::lower_bound(eligible_.begin(), eligible_.end(), slot);
  if (eligible) {
    eligible_.insert(it, slot);
  } else {
    eligible_.erase(it);
  }
  eligible_mix_.clear();
  eligible_hash_.clear();
  for (uint32_t a : eligible_) {
    eligible_mix_.push_back(agents_[a].mixed);
    eligible_hash_.push_back(agents_[a].hash);
  }
}

uint32_t ShardTable::AddAgent(const AgentView& view, std::vector<PlacementChange>* changes) {
  const bool was_capped = capped_;
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(agents_.size());
    agents_.emplace_back();
    ideal_load_.push_back(0);
    if (capped_) plan_load_.push_back(0);
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Agent& agent = agents_[slot];
  agent.view = view;
  agent.live = true;
  DescribeAgent(agent);
  SetEligible(slot, !view.draining);
  if (IsUniform() != uniform_) {
    uniform_ = !uniform_;
    RecomputeAll(changes);
  } else {
    if (agent.eligible) JoinIdeal(slot);
    Finish(was_capped, kNone, changes);
  }
  return slot;
}

void ShardTable::UpdateAgent(uint32_t slot, const AgentView& view, std::vector<PlacementChange>* changes) {
  if (slot >= agents_.size() || !agents_[slot].live) return;
  const bool was_capped = capped_;
  // Leave, then join as the new self: each step is exact, so the pair is.
  if (agents_[slot].eligible) {
    SetEligible(slot, false);
    LeaveIdeal(slot);
  }
  agents_[slot].view = view;
  DescribeAgent(agents_[slot]);
  SetEligible(slot, !view.draining);
  if (IsUniform() != uniform_) {
    uniform_ = !uniform_;
    RecomputeAll(changes);
    return;
  }
  if (agents_[slot].eligible) JoinIdeal(slot);
  Finish(was_capped, kNone, changes);
}

void ShardTable::RemoveAgent(uint32_t slot, std::vector<PlacementChange>* changes) {
  if (slot >= agents_.size() || !agents_[slot].live) return;
  const bool was_capped = capped_;
  const bool was_eligible = agents_[slot].eligible;
  SetEligible(slot, false);
  agents_[slot] = Agent();
  free_slots_.push_back(slot);
  if (IsUniform() != uniform_) {
    uniform_ = !uniform_;
    RecomputeAll(changes);
    return;
  }
  if (was_eligible) LeaveIdeal(slot);
  Finish(was_capped, kNone, changes);
}

void ShardTable::Reserve(size_t keys) {
  hash_.reserve(keys);
  shape_.reserve(keys);
  first_.reserve(keys);
}

absl::Status ShardTable::SetMonitor(uint32_t key, const MonitorShape& monitor,
                                    std::vector<PlacementChange>* changes) {
  absl::StatusOr<uint32_t> selector = SelectorId(monitor.selector);
  if (!selector.ok()) return selector.status();
  const Shape shape{.selector = *selector,
                    .label = LabelId(monitor.location_label),
                    .count = static_cast<uint32_t>(std::clamp(monitor.count, 1, 0xffff))};
  const uint32_t shape_id = ShapeId(shape);
  const bool was_capped = capped_;
  if (key >= shape_.size()) {
    hash_.resize(key + 1, 0);
    shape_.resize(key + 1, kNone);
    first_.resize(key + 1, kNone);
  }
  if (shape_[key] != kNone) {
    // Drop the old shape's agents while the old shape still reads rest_.
    SetIdeal(key, {});
    total_slots_ -= shapes_[shape_[key]].count;
    --monitor_count_;
  }
  hash_[key] = monitor.id_hash;
  shape_[key] = shape_id;
  total_slots_ += shape.count;
  ++monitor_count_;
  SetIdeal(key, IdealOf(monitor.id_hash, shapes_[shape_id]));
  Finish(was_capped, key, changes);
  return absl::OkStatus();
}

void ShardTable::RemoveMonitor(uint32_t key, std::vector<PlacementChange>* changes) {
  if (key >= shape_.size() || shape_[key] == kNone) return;
  const bool was_capped = capped_;
  SetIdeal(key, {});
  total_slots_ -= shapes_[shape_[key]].count;
  --monitor_count_;
  shape_[key] = kNone;
  Finish(was_capped, key, changes);
}

absl::Status ShardTable::LoadMonitors(absl::Span<const MonitorShape> monitors) {
  absl::Status first_error;
  hash_.assign(monitors.size(), 0);
  shape_.assign(monitors.size(), kNone);
  first_.assign(monitors.size(), kNone);
  for (uint32_t key = 0; key < monitors.size(); ++key) {
    const MonitorShape& m = monitors[key];
    absl::StatusOr<uint32_t> selector = SelectorId(m.selector);
    if (!selector.ok()) {
      if (first_error.ok()) first_error = selector.status();
      continue;
    }
    const Shape shape{.selector = *selector,
                      .label = LabelId(m.location_label),
                      .count = static_cast<uint32_t>(std::clamp(m.count, 1, 0xffff))};
    hash_[key] = m.id_hash;
    shape_[key] = ShapeId(shape);
    total_slots_ += shape.count;
    ++monitor_count_;
  }
  RecomputeAll(nullptr);
  return first_error;
}

void ShardTable::Rebalance(std::vector<PlacementChange>* changes) { RecomputeAll(changes); }

// ---------------------------------------------------------------------------
// Queries

AgentIndexes ShardTable::assignment(uint32_t key) const {
  if (key >= shape_.size()) return {};
  if (capped_) return key < plan_.size() ? plan_[key] : AgentIndexes();
  return Ideal(key);
}

bool ShardTable::Holds(uint32_t key, uint32_t slot) const {
  if (key >= shape_.size() || shape_[key] == kNone) return false;
  if (capped_) {
    return key < plan_.size() && std::find(plan_[key].begin(), plan_[key].end(), slot) != plan_[key].end();
  }
  if (first_[key] == slot) return true;
  if (shapes_[shape_[key]].count == 1) return false;
  auto it = rest_.find(key);
  return it != rest_.end() && std::find(it->second.begin(), it->second.end(), slot) != it->second.end();
}

std::vector<uint32_t> ShardTable::MonitorsOf(uint32_t slot) const {
  std::vector<uint32_t> keys;
  for (uint32_t key = 0; key < shape_.size(); ++key) {
    if (Holds(key, slot)) keys.push_back(key);
  }
  return keys;
}

uint32_t ShardTable::load(uint32_t slot) const {
  const std::vector<uint32_t>& loads = capped_ ? plan_load_ : ideal_load_;
  return slot < loads.size() ? loads[slot] : 0;
}

ShardTable::Memory ShardTable::MemoryUsage() const {
  Memory m;
  m.per_monitor_arrays = VectorBytes(hash_) + VectorBytes(shape_) + VectorBytes(first_);
  // A flat_hash_map slot is the pair plus one control byte.
  m.extra_agents = rest_.capacity() * (sizeof(std::pair<uint32_t, AgentIndexes>) + 1);
  m.capped_plan = VectorBytes(plan_) + VectorBytes(plan_load_);
  for (const AgentIndexes& a : plan_) {
    if (a.size() > 2) m.capped_plan += a.capacity() * sizeof(uint32_t);
  }
  m.interned = VectorBytes(agents_) + VectorBytes(selectors_) + VectorBytes(shapes_) +
               (selector_ids_.capacity() + label_ids_.capacity() + location_ids_.capacity()) * 40 +
               shape_ids_.capacity() * 13;
  return m;
}

}  // namespace uptime::coordinator
