// ShardTable: the placement of every monitor, kept current incrementally.
//
// The plan it keeps is always the one ComputePlan (planner.h) computes from
// scratch for the same agents and monitors, bit for bit, except while
// `drifted()` (see "Capped plans" below). It gets there without recomputing
// everything:
//
// - An agent joining can only take monitors it outranks one of the current
//   holders of: one score per monitor (the newcomer's) plus one per current
//   holder, and a merge for monitors wanting K locations.
// - An agent leaving only frees the monitors it held: those are re-ranked
//   over the remaining agents, the others keep their place.
// - A changed agent (labels, capacity) leaves and joins again; a drained one
//   leaves.
// - A monitor added, changed or removed is ranked alone.
//
// Why that equals the full plan: the full plan places monitors one at a time
// (in id-hash order) on their best-ranked agents that still have room under
// their cap. When pure rendezvous ranking (no caps: the "ideal" placement)
// leaves every agent at or under its cap, no monitor ever finds its choice
// full, so the capped plan IS the ideal one; and the ideal placement of a
// monitor depends on no other monitor, so it can be updated one monitor (or
// one agent) at a time. The table keeps the ideal placement and the ideal
// loads, and checks the caps after every change.
//
// Capped plans: when some agent's ideal load exceeds its cap (selectors that
// send many monitors to a few agents, or a tiny fleet), placement depends on
// the order: the capped plan walks the monitors in id-hash order, each taking
// its best agents that still have room. A monitor's best agents ARE its ideal
// ones, kept current as above, so the walk ranks a monitor only when one of
// its ideal agents is already full (the spill-over); the others cost a load
// check. An agent joining or leaving while capped therefore updates the ideal
// (as above) and replays that walk: O(M) cheap steps plus a ranking per
// spilled monitor, not a plan from scratch. The id-hash order is kept while
// capped (`order_`), with the monitors added since it was sorted merged in at
// the next replay.
//
// Monitor changes while capped would cost a replay each, which a catalog
// loading a million monitors cannot afford: a monitor added, changed or
// removed is placed against the current loads (best agents with room) and the
// table is `drifted()`: every monitor still sits on `count` distinct matching
// locations and no agent goes above its cap unless every matching agent is
// full, but the plan may differ from the full one until the next agent
// change (whose replay ends the drift) or Rebalance(). The caller rebalances
// periodically.
//
// Caps get `cap_slack` extra slots (ShardOptions) so that small fleets, where
// random placement exceeds 1.25x the mean by chance, are not capped all the
// time.
//
// Memory: 16 bytes per monitor (id hash, interned shape, first agent), plus
// the extra agents of monitors wanting several locations; while capped, 8
// more (the capped plan's first agent, the id-hash order) plus the capped
// plan's extra agents. Selectors, location labels and location values are
// interned.
//
// Not thread-safe: the owner serialises calls.
//
// Example:
//   ShardTable table;
//   std::vector<PlacementChange> changes;
//   const uint32_t a = table.AddAgent({.id = "agent-1"}, &changes);
//   RETURN_IF_ERROR(table.SetMonitor(0, {.id_hash = StableHash64("mon-1")}, &changes));
//   // changes: monitor 0 moved from {} to {a}
#ifndef UPTIME_COORDINATOR_CLUSTER_SHARD_TABLE_H_
#define UPTIME_COORDINATOR_CLUSTER_SHARD_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/labels.h"
#include "coordinator/cluster/planner.h"

namespace uptime::coordinator {

// A monitor whose agents changed during one call: agent slots, best first.
struct PlacementChange {
  uint32_t monitor = 0;
  AgentIndexes before = {};
  AgentIndexes after = {};
};

// Counts of how calls were served, for tests and the bench.
struct ShardTableStats {
  uint64_t incremental = 0;  // served without a full plan
  uint64_t full = 0;         // full plans computed (every monitor ranked)
  uint64_t replayed = 0;     // capped plans replayed from the ideal one (agent changes while capped)
  uint64_t drifted = 0;      // monitor changes placed against loads while capped
};

class ShardTable {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  explicit ShardTable(const ShardOptions& options = {});

  // Adds an agent; returns its slot (slots of removed agents are reused).
  // Appends the monitors that moved to `changes` (every mutator does; null
  // skips the bookkeeping).
  uint32_t AddAgent(const AgentView& agent, std::vector<PlacementChange>* changes);
  // Replaces what is known of the agent in `slot` (labels, capacity,
  // draining; its id must stay the same).
  void UpdateAgent(uint32_t slot, const AgentView& agent, std::vector<PlacementChange>* changes);
  // Removes the agent; its monitors move to others. `changes` may name the
  // removed slot in `before`.
  void RemoveAgent(uint32_t slot, std::vector<PlacementChange>* changes);

  // Adds or replaces the monitor under `key` (keys are the caller's dense
  // indexes; keep them small). INVALID_ARGUMENT naming the field on a bad
  // selector, and nothing changes.
  absl::Status SetMonitor(uint32_t key, const MonitorShape& shape,
                          std::vector<PlacementChange>* changes);
  void RemoveMonitor(uint32_t key, std::vector<PlacementChange>* changes);
  // Sets monitors under keys 0..n-1 of an empty table and computes the full
  // plan once (ComputePlan's path). The first bad selector's error, after
  // loading all the others.
  absl::Status LoadMonitors(absl::Span<const MonitorShape> monitors);
  // Sizes the per-monitor arrays for keys below `keys`.
  void Reserve(size_t keys);

  // Ends a drift: replays the capped plan over the current monitors (see
  // "Capped plans"). A no-op when not drifted.
  void Rebalance(std::vector<PlacementChange>* changes);

  // The agents of the monitor under `key`, best first; empty when unplaced.
  AgentIndexes assignment(uint32_t key) const;
  bool Holds(uint32_t key, uint32_t slot) const;
  // Keys of the monitors `slot` checks, in key order.
  std::vector<uint32_t> MonitorsOf(uint32_t slot) const;
  // Monitors placed on `slot`.
  uint32_t load(uint32_t slot) const;
  const AgentView& agent(uint32_t slot) const { return agents_[slot].view; }
  size_t agent_slots() const { return agents_.size(); }

  // True while some agent's ideal load exceeds its cap.
  bool capped() const { return capped_; }
  // True when the plan may differ from ComputePlan's (see the class comment).
  bool drifted() const { return drifted_; }
  const ShardTableStats& stats() const { return stats_; }

  // Heap bytes held per component, for the bench's memory breakdown.
  struct Memory {
    size_t per_monitor_arrays = 0;  // hashes, shapes, first agents
    size_t extra_agents = 0;        // agents after the first, for K > 1
    size_t capped_plan = 0;         // while capped: the plan and the id-hash order
    size_t interned = 0;            // agents, selectors, labels, locations
  };
  Memory MemoryUsage() const;

 private:
  struct Agent {
    AgentView view;
    bool live = false;
    bool eligible = false;  // live and not draining
    uint64_t hash = 0;
    uint64_t mixed = 0;  // hash times the golden ratio, for PairHash
    // By label id: the interned location; by selector id: whether it matches.
    std::vector<uint32_t> location;
    std::vector<uint8_t> matches;
  };
  struct Shape {
    uint32_t selector = 0;  // 0: any agent
    uint32_t label = 0;
    uint32_t count = 1;
  };
  struct Rank {
    double score;
    uint64_t hash;
    uint32_t slot;
  };

  // Interning; each returns a stable id.
  absl::StatusOr<uint32_t> SelectorId(absl::string_view text);
  uint32_t LabelId(absl::string_view label);
  uint32_t LocationId(const std::string& value);
  uint32_t ShapeId(const Shape& shape);
  void DescribeAgent(Agent& agent);  // fills location and matches

  double Score(uint64_t monitor_hash, uint32_t slot) const;
  Rank RankOf(uint64_t monitor_hash, uint32_t slot) const;
  // RankOf(monitor_hash, eligible_[i]), from the side-by-side hashes.
  Rank EligibleRank(uint64_t monitor_hash, size_t i) const;
  static bool Better(const Rank& x, const Rank& y);
  bool Matches(const Shape& shape, uint32_t slot) const;

  // Which agents monitors sit on, by key: the first agent in an array, the
  // others (monitors wanting several locations) in a map.
  struct Placement {
    std::vector<uint32_t> first;  // kNone: none
    absl::flat_hash_map<uint32_t, AgentIndexes> rest;

    // `several`: the monitor may have more than one agent (false skips the
    // map lookup).
    AgentIndexes Get(uint32_t key, bool several = true) const;
    void Set(uint32_t key, const AgentIndexes& agents);
    size_t Bytes() const;
  };

  // Ideal placement (no caps): best agents, one per distinct location.
  AgentIndexes IdealOf(uint64_t monitor_hash, const Shape& shape) const;
  // The same, but choosing among `candidates` only; into `out`.
  void TopDistinct(uint64_t monitor_hash, const Shape& shape, absl::Span<const uint32_t> candidates,
                   AgentIndexes* out) const;
  AgentIndexes Ideal(uint32_t key) const;
  void SetIdeal(uint32_t key, const AgentIndexes& agents);
  // The capped choice against plan_load_, counted in it.
  AgentIndexes PlaceCapped(uint32_t key);

  // The ideal changes for an agent joining or leaving.
  void JoinIdeal(uint32_t slot);
  void LeaveIdeal(uint32_t slot);

  void ComputeCaps();
  bool IdealFits() const;
  bool IsUniform() const;
  void SetEligible(uint32_t slot, bool eligible);
  // The agents of eligible_ matching selector `id`, into matching_[id].
  void IndexMatching(uint32_t id);
  // Ends a call that changed the ideal placement: emits the changes, and
  // replays the capped plan when the ideal one does not fit. `monitor_key`
  // is the monitor a monitor call changed (kNone for agent calls), placed
  // against the loads while capped.
  void Finish(bool was_capped, uint32_t monitor_key, std::vector<PlacementChange>* changes);
  // The ideal placement as it was before the current call (touched_ undone).
  Placement IdealBefore() const;
  // Brings order_ up to date: sorted from scratch when `rebuild`, else the
  // monitors added since merged in.
  void SortOrder(bool rebuild);
  // Notes that `key` was set or removed while capped, for order_.
  void NoteOrderChange(uint32_t key);
  // The capped plan of every monitor, walking order_ from the ideal
  // placement (see the class comment); into plan_ and plan_load_.
  void PlanCapped();
  // Back to the ideal plan: drops the capped plan and the order.
  void EndCapped();
  // Every placement that differs between `before` and the current one, in
  // key order.
  void DiffAll(const Placement& before, std::vector<PlacementChange>* changes) const;
  void RecomputeAll(std::vector<PlacementChange>* changes);

  ShardOptions options_;
  std::vector<Agent> agents_;
  std::vector<uint32_t> eligible_;  // slots, ascending
  // Hashes of the eligible agents, side by side with eligible_, for the
  // inner loop of a plan.
  std::vector<uint64_t> eligible_mix_;
  std::vector<uint64_t> eligible_hash_;
  // By selector id: the indexes into eligible_ of the agents it matches, so
  // a ranking under a selector visits those only.
  std::vector<std::vector<uint32_t>> matching_;
  std::vector<uint32_t> free_slots_;
  bool uniform_ = true;
  double total_weight_ = 0;
  std::vector<double> caps_;

  std::vector<std::string> selector_text_;
  std::vector<LabelSelector> selectors_;
  absl::flat_hash_map<std::string, uint32_t> selector_ids_;
  std::vector<std::string> labels_;
  absl::flat_hash_map<std::string, uint32_t> label_ids_;
  absl::flat_hash_map<std::string, uint32_t> location_ids_;
  std::vector<Shape> shapes_;
  absl::flat_hash_map<uint64_t, uint32_t> shape_ids_;

  // Per monitor key.
  std::vector<uint64_t> hash_;
  std::vector<uint32_t> shape_;  // kNone: no monitor under this key
  Placement ideal_;               // ideal agents
  std::vector<uint32_t> ideal_load_;  // by slot
  uint64_t total_slots_ = 0;
  size_t monitor_count_ = 0;

  bool capped_ = false;
  bool drifted_ = false;
  Placement plan_;                  // while capped: the plan, by key
  std::vector<uint32_t> plan_load_;  // while capped, by slot
  // While capped: the keys in (id hash, key) order, valid when order_valid_;
  // keys set or removed since it was sorted are in order_pending_ (their
  // entries in order_, if any, are stale).
  std::vector<uint32_t> order_;
  bool order_valid_ = false;
  absl::flat_hash_set<uint32_t> order_pending_;

  // Ideal placements before the current call, for the ones it changed.
  absl::flat_hash_map<uint32_t, AgentIndexes> touched_;
  ShardTableStats stats_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CLUSTER_SHARD_TABLE_H_
