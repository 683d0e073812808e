// ShardTable: construction, interning, the mutators and the queries. The
// ranking and ideal placement are in shard_table_ranking.cc, the caps and
// plans in shard_table_plan.cc.
#include "coordinator/cluster/shard_table.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace uptime::coordinator {
namespace {

constexpr absl::string_view kDefaultLocationLabel = "region";

template <typename V>
size_t VectorBytes(const std::vector<V>& v) {
  return v.capacity() * sizeof(V);
}

}  // namespace

// ---------------------------------------------------------------------------
// Placement

AgentIndexes ShardTable::Placement::Get(uint32_t key, bool several) const {
  AgentIndexes agents;
  if (key >= first.size() || first[key] == kNone) return agents;
  agents.push_back(first[key]);
  if (several && !rest.empty()) {
    if (auto it = rest.find(key); it != rest.end()) agents.insert(agents.end(), it->second.begin(), it->second.end());
  }
  return agents;
}

void ShardTable::Placement::Set(uint32_t key, const AgentIndexes& agents) {
  if (key >= first.size()) first.resize(key + 1, kNone);
  first[key] = agents.empty() ? kNone : agents[0];
  if (agents.size() > 1) {
    rest[key] = AgentIndexes(agents.begin() + 1, agents.end());
  } else if (!rest.empty()) {
    rest.erase(key);
  }
}

size_t ShardTable::Placement::Bytes() const {
  size_t bytes = VectorBytes(first);
  // A flat_hash_map slot is the pair plus one control byte.
  bytes += rest.capacity() * (sizeof(std::pair<uint32_t, AgentIndexes>) + 1);
  for (const auto& [key, agents] : rest) {
    if (agents.size() > AgentIndexes().capacity()) bytes += agents.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

ShardTable::ShardTable(const ShardOptions& options) : options_(options) {
  // Id 0 of each interning table is the default: any agent, "region".
  selector_text_.emplace_back();
  selectors_.emplace_back();
  selector_ids_.emplace("", 0);
  matching_.emplace_back();
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
  IndexMatching(id);
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
  for (uint32_t id = 0; id < selectors_.size(); ++id) IndexMatching(id);
}

void ShardTable::IndexMatching(uint32_t id) {
  if (matching_.size() <= id) matching_.resize(id + 1);
  std::vector<uint32_t>& matching = matching_[id];
  matching.clear();
  for (uint32_t i = 0; i < eligible_.size(); ++i) {
    if (id == 0 || agents_[eligible_[i]].matches[id]) matching.push_back(i);
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
  ideal_.first.reserve(keys);
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
    ideal_.first.resize(key + 1, kNone);
  }
  // A new monitor, or one whose id changed, moves in the id-hash order.
  if (shape_[key] == kNone || hash_[key] != monitor.id_hash) NoteOrderChange(key);
  if (shape_[key] != kNone) {
    // Drop the old shape's agents before the new shape counts.
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
  ideal_.first.assign(monitors.size(), kNone);
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

void ShardTable::Rebalance(std::vector<PlacementChange>* changes) {
  // The ideal placement is exact whatever happened (monitor changes keep it
  // so); only a drifted capped plan needs its walk replayed.
  if (!capped_ || !drifted_) return;
  Placement before = std::move(plan_);
  PlanCapped();
  drifted_ = false;
  ++stats_.replayed;
  DiffAll(before, changes);
}

// ---------------------------------------------------------------------------
// Queries

AgentIndexes ShardTable::assignment(uint32_t key) const {
  if (key >= shape_.size() || shape_[key] == kNone) return {};
  if (capped_) return plan_.Get(key, shapes_[shape_[key]].count > 1);
  return Ideal(key);
}

bool ShardTable::Holds(uint32_t key, uint32_t slot) const {
  if (key >= shape_.size() || shape_[key] == kNone) return false;
  const Placement& placed = capped_ ? plan_ : ideal_;
  if (key >= placed.first.size()) return false;
  if (placed.first[key] == slot) return true;
  if (shapes_[shape_[key]].count == 1) return false;
  auto it = placed.rest.find(key);
  return it != placed.rest.end() && std::find(it->second.begin(), it->second.end(), slot) != it->second.end();
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
  m.per_monitor_arrays = VectorBytes(hash_) + VectorBytes(shape_) + VectorBytes(ideal_.first);
  m.extra_agents = ideal_.Bytes() - VectorBytes(ideal_.first);
  m.capped_plan = plan_.Bytes() + VectorBytes(plan_load_) + VectorBytes(order_) +
                  order_pending_.capacity() * (sizeof(uint32_t) + 1);
  m.interned = VectorBytes(agents_) + VectorBytes(selectors_) + VectorBytes(shapes_) +
               (selector_ids_.capacity() + label_ids_.capacity() + location_ids_.capacity()) * 40 +
               shape_ids_.capacity() * 13;
  return m;
}

}  // namespace uptime::coordinator
