#include "coordinator/cluster/shard_table.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/cluster/testing/reference_plan.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

using test::ReferencePlan;
using test::TestMonitor;

struct Scenario {
  std::string name = {};
  ShardOptions options = {};
  bool vary_capacity = false;
  // Selectors that send many monitors to few agents make plans capped.
  bool selectors = true;
  // Agents get random labels of several keys, monitors random selectors
  // over them (else: region and zone labels, a fixed list of selectors).
  bool random_labels = false;
  int max_agents = 10;
  int max_monitors = 300;
  int steps = 400;
  uint32_t seed = 1;
};

// Drives one table through random changes and, after each, checks it
// against a plan computed from scratch.
class Simulation {
 public:
  explicit Simulation(const Scenario& s) : s_(s), rng_(s.seed), table_(s.options) {}

  void Run() {
    for (int step = 0; step < s_.steps; ++step) {
      const std::string what = Step();
      SCOPED_TRACE(absl::StrCat(s_.name, " step ", step, ": ", what));
      Check();
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  const ShardTable& table() const { return table_; }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  AgentView RandomAgent(const std::string& id) {
    AgentView view{.id = id};
    view.capacity = s_.vary_capacity ? 50 * (1 + Pick(4)) : 100;
    if (s_.random_labels) {
      for (const char* key : kLabelKeys) {
        if (Pick(3) != 0) view.labels[key] = absl::StrCat("v", Pick(3));
      }
      return view;
    }
    // Some agents lack the label: each is then a location of its own.
    if (Pick(5) != 0) view.labels["region"] = absl::StrCat("r", Pick(3));
    if (Pick(2) == 0) view.labels["zone"] = absl::StrCat("z", Pick(2));
    return view;
  }

  // One to two terms over kLabelKeys (key=v, key!=v, key, !key), or empty.
  std::string RandomSelector() {
    std::vector<std::string> terms;
    for (int t = Pick(3); t > 0; --t) {
      const std::string key = kLabelKeys[Pick(4)];
      switch (Pick(4)) {
        case 0: terms.push_back(absl::StrCat(key, "=v", Pick(3))); break;
        case 1: terms.push_back(absl::StrCat(key, "!=v", Pick(3))); break;
        case 2: terms.push_back(key); break;
        default: terms.push_back("!" + key); break;
      }
    }
    return absl::StrJoin(terms, ",");
  }

  TestMonitor RandomMonitor() {
    static const char* kSelectors[] = {"", "", "", "region=r1", "region!=r2", "zone"};
    static const char* kLabels[] = {"", "region", "zone"};
    if (s_.random_labels) {
      return TestMonitor{.id_hash = StableHash64(absl::StrCat("mon-", next_monitor_++)),
                         .selector = RandomSelector(),
                         .label = kLabelKeys[Pick(4)],
                         .count = Pick(4) == 0 ? 1 + Pick(3) : 1};
    }
    return TestMonitor{.id_hash = StableHash64(absl::StrCat("mon-", next_monitor_++)),
                       .selector = s_.selectors ? kSelectors[Pick(6)] : "",
                       .label = kLabels[Pick(3)],
                       .count = Pick(4) == 0 ? 1 + Pick(3) : 1};
  }

  // Applies `changes` to the mirror, checking each `before` is what the
  // mirror (built from earlier changes only) says: the deltas an owner
  // sends are then complete.
  void Apply(const std::vector<PlacementChange>& changes) {
    for (const PlacementChange& c : changes) {
      AgentIndexes& held = mirror_[c.monitor];
      ASSERT_EQ(held, c.before) << "monitor key " << c.monitor;
      ASSERT_NE(c.before, c.after) << "monitor key " << c.monitor;
      held = c.after;
    }
  }

  std::string Step() {
    std::vector<PlacementChange> changes;
    std::string what;
    const int op = Pick(10);
    if ((op <= 1 && static_cast<int>(slots_.size()) < s_.max_agents) || slots_.empty()) {
      const std::string id = absl::StrCat("agent-", next_agent_++);
      AgentView view = RandomAgent(id);
      const uint32_t slot = table_.AddAgent(view, &changes);
      EXPECT_FALSE(slots_.contains(slot));
      slots_[slot] = view;
      what = absl::StrCat("join ", id);
    } else if (op == 2 && slots_.size() > 1) {
      auto it = std::next(slots_.begin(), Pick(slots_.size()));
      what = absl::StrCat("leave ", it->second.id);
      table_.RemoveAgent(it->first, &changes);
      slots_.erase(it);
    } else if (op == 3) {
      auto it = std::next(slots_.begin(), Pick(slots_.size()));
      AgentView view = RandomAgent(it->second.id);
      const int kind = Pick(3);
      if (kind == 0) view.capacity = it->second.capacity;  // labels only
      if (kind == 1) view.labels = it->second.labels;       // capacity only
      if (kind == 2) {                                      // drain toggle
        view = it->second;
        view.draining = !view.draining;
      }
      what = absl::StrCat("update ", it->second.id, " kind ", kind);
      table_.UpdateAgent(it->first, view, &changes);
      it->second = view;
    } else if (op <= 6 && static_cast<int>(monitors_.size()) < s_.max_monitors) {
      // Reuse a freed key sometimes, as the manager does.
      uint32_t key = static_cast<uint32_t>(next_key_);
      if (!free_keys_.empty() && Pick(2) == 0) {
        key = free_keys_.back();
        free_keys_.pop_back();
      } else {
        ++next_key_;
      }
      monitors_[key] = RandomMonitor();
      what = absl::StrCat("add monitor ", key);
      EXPECT_TRUE(table_.SetMonitor(key, monitors_[key].shape(), &changes).ok());
    } else if (op == 7 && !monitors_.empty()) {
      auto it = std::next(monitors_.begin(), Pick(monitors_.size()));
      what = absl::StrCat("remove monitor ", it->first);
      table_.RemoveMonitor(it->first, &changes);
      free_keys_.push_back(it->first);
      monitors_.erase(it);
    } else if (!monitors_.empty()) {
      auto it = std::next(monitors_.begin(), Pick(monitors_.size()));
      const uint64_t hash = it->second.id_hash;
      it->second = RandomMonitor();
      it->second.id_hash = hash;
      what = absl::StrCat("change monitor ", it->first);
      EXPECT_TRUE(table_.SetMonitor(it->first, it->second.shape(), &changes).ok());
    } else {
      what = "nothing";
    }
    Apply(changes);
    return what;
  }

  // Every monitor's agents match its selector, at distinct locations, never
  // more than it asked for.
  void CheckInvariants() {
    for (const auto& [key, m] : monitors_) {
      const AgentIndexes agents = table_.assignment(key);
      ASSERT_LE(agents.size(), static_cast<size_t>(m.count));
      std::set<std::string> locations;
      const std::string label = m.label.empty() ? "region" : m.label;
      auto selector = LabelSelector::Parse("s", m.selector);
      for (uint32_t slot : agents) {
        ASSERT_TRUE(slots_.contains(slot));
        ASSERT_FALSE(slots_[slot].draining);
        ASSERT_TRUE(selector->Matches(slots_[slot].labels));
        ASSERT_TRUE(locations.insert(LocationOf(slots_[slot], label)).second);
      }
    }
  }

  void Check() {
    CheckInvariants();
    if (table_.drifted()) {
      // Placed against the loads: sound, but only equal to the full plan
      // after a rebalance.
      std::vector<PlacementChange> changes;
      table_.Rebalance(&changes);
      Apply(changes);
      ASSERT_FALSE(table_.drifted());
    }
    // The full plan over the same agents and monitors, in another order.
    std::vector<AgentView> agents;
    std::vector<uint32_t> agent_slots;
    for (auto it = slots_.rbegin(); it != slots_.rend(); ++it) {
      agents.push_back(it->second);
      agent_slots.push_back(it->first);
    }
    std::vector<MonitorShape> shapes;
    std::vector<uint32_t> keys;
    for (const auto& [key, m] : monitors_) {
      shapes.push_back(m.shape());
      keys.push_back(key);
    }
    const ShardPlan full = ComputePlan(shapes, agents, s_.options);
    const std::vector<AgentIndexes> reference = ReferencePlan(shapes, agents, s_.options);
    for (size_t i = 0; i < keys.size(); ++i) {
      std::vector<std::string> want, got, independent;
      for (uint32_t a : full.assignments[i]) want.push_back(agents[a].id);
      for (uint32_t a : reference[i]) independent.push_back(agents[a].id);
      for (uint32_t slot : table_.assignment(keys[i])) got.push_back(slots_[slot].id);
      ASSERT_EQ(want, independent) << "monitor key " << keys[i] << " (ComputePlan vs the reference)";
      ASSERT_EQ(got, want) << "monitor key " << keys[i];
      ASSERT_EQ(mirror_[keys[i]], table_.assignment(keys[i])) << "monitor key " << keys[i];
    }
    for (size_t a = 0; a < agents.size(); ++a) {
      ASSERT_EQ(table_.load(agent_slots[a]), full.load[a]) << agents[a].id;
    }
  }

  static constexpr const char* kLabelKeys[] = {"region", "zone", "tier", "gpu"};

  const Scenario s_;
  std::mt19937 rng_;
  ShardTable table_;
  std::map<uint32_t, AgentView> slots_;
  std::map<uint32_t, TestMonitor> monitors_;
  std::map<uint32_t, AgentIndexes> mirror_;
  std::vector<uint32_t> free_keys_;
  int next_key_ = 0;
  int next_agent_ = 0;
  int next_monitor_ = 0;
};

TEST(ShardTableTest, IncrementalEqualsFullWhenUncapped) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    Simulation sim({.name = "uncapped", .selectors = false, .seed = seed});
    sim.Run();
    if (HasFatalFailure()) return;
    // The incremental paths did all the work: no fallback at all.
    EXPECT_GT(sim.table().stats().incremental, 350u);
    EXPECT_EQ(sim.table().stats().full, 0u);
    EXPECT_EQ(sim.table().stats().drifted, 0u);
  }
}

TEST(ShardTableTest, IncrementalEqualsFullWithSelectorsAndDefaultCaps) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    Simulation sim({.name = "selectors", .seed = seed});
    sim.Run();
    if (HasFatalFailure()) return;
    EXPECT_GT(sim.table().stats().incremental, 300u);
  }
}

TEST(ShardTableTest, IncrementalEqualsFullWithMixedCapacities) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    Simulation sim({.name = "weighted", .vary_capacity = true, .seed = seed});
    sim.Run();
    if (HasFatalFailure()) return;
    EXPECT_GT(sim.table().stats().incremental, 200u);
  }
}

TEST(ShardTableTest, CappedPlansEqualFullAfterEveryAgentChangeAndRebalance) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    // Caps at exactly the fair share: most states are capped.
    Simulation sim({.name = "capped",
                    .options = {.load_factor = 1.0, .cap_slack = 0},
                    .vary_capacity = true,
                    .max_agents = 6,
                    .max_monitors = 120,
                    .seed = seed});
    sim.Run();
    if (HasFatalFailure()) return;
    // Agent changes while capped replay the walk; full plans only when the
    // capacities turn (non-)uniform.
    EXPECT_GT(sim.table().stats().replayed, 10u);
    EXPECT_GT(sim.table().stats().drifted, 10u);
  }
}

TEST(ShardTableTest, CappedAgentChangesReplayWithRandomLabelsAndSelectors) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    // Random labels over four keys and random selectors over them: a few
    // agents match many monitors, so with tight caps most states are capped.
    Simulation sim({.name = "random labels",
                    .options = {.load_factor = seed % 2 == 0 ? 1.0 : 1.25, .cap_slack = 0},
                    .random_labels = true,
                    .max_agents = 12,
                    .max_monitors = 250,
                    .steps = 500,
                    .seed = seed});
    sim.Run();
    if (HasFatalFailure()) return;
    // Equal capacities: never a full plan, agent changes while capped are
    // replays.
    EXPECT_EQ(sim.table().stats().full, 0u);
    EXPECT_GT(sim.table().stats().replayed, 20u);
  }
}

TEST(ShardTableTest, CappedWithRandomLabelsAndMixedCapacities) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    Simulation sim({.name = "random labels, weighted",
                    .options = {.load_factor = 1.1, .cap_slack = 0},
                    .vary_capacity = true,
                    .random_labels = true,
                    .max_agents = 8,
                    .max_monitors = 200,
                    .seed = seed});
    sim.Run();
    if (HasFatalFailure()) return;
    EXPECT_GT(sim.table().stats().replayed, 10u);
  }
}

TEST(ShardTableTest, CappedJoinAndLeaveMoveOnlyWhatTheyMust) {
  // A fifth of the monitors select r0 (a fifth of the agents): capped.
  ShardTable table;
  std::vector<PlacementChange> changes;
  std::vector<AgentView> fleet;
  for (int a = 0; a < 10; ++a) fleet.push_back({.id = absl::StrCat("agent-", a), .labels = {{"region", absl::StrCat("r", a % 5)}}});
  for (const AgentView& a : fleet) table.AddAgent(a, &changes);
  std::vector<TestMonitor> monitors;
  for (uint32_t k = 0; k < 5000; ++k) {
    monitors.push_back({.id_hash = StableHash64(absl::StrCat("m", k)), .selector = k % 5 == 0 ? "region=r0" : ""});
    ASSERT_TRUE(table.SetMonitor(k, monitors.back().shape(), &changes).ok());
  }
  changes.clear();
  table.Rebalance(&changes);
  ASSERT_TRUE(table.capped());
  ASSERT_FALSE(table.drifted());
  const ShardTableStats before = table.stats();
  changes.clear();
  const uint32_t slot = table.AddAgent({.id = "agent-new", .labels = {{"region", "r0"}}}, &changes);
  EXPECT_TRUE(table.capped());
  EXPECT_EQ(table.stats().full, before.full);
  EXPECT_EQ(table.stats().replayed, before.replayed + 1);
  // Each change is real and in key order.
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_NE(changes[i].before, changes[i].after);
    if (i > 0) {
      EXPECT_LT(changes[i - 1].monitor, changes[i].monitor);
    }
  }
  std::vector<MonitorShape> shapes;
  for (const TestMonitor& m : monitors) shapes.push_back(m.shape());
  std::vector<AgentView> joined = fleet;
  joined.push_back({.id = "agent-new", .labels = {{"region", "r0"}}});
  const std::vector<AgentIndexes> want = ReferencePlan(shapes, joined, {});
  for (uint32_t k = 0; k < shapes.size(); ++k) {
    std::vector<std::string> got, expected;
    for (uint32_t s : table.assignment(k)) got.push_back(table.agent(s).id);
    for (uint32_t a : want[k]) expected.push_back(joined[a].id);
    ASSERT_EQ(got, expected) << "monitor key " << k;
  }
  changes.clear();
  table.RemoveAgent(slot, &changes);
  EXPECT_EQ(table.stats().full, before.full);
  const std::vector<AgentIndexes> back = ReferencePlan(shapes, fleet, {});
  for (uint32_t k = 0; k < shapes.size(); ++k) {
    std::vector<std::string> got, expected;
    for (uint32_t s : table.assignment(k)) got.push_back(table.agent(s).id);
    for (uint32_t a : back[k]) expected.push_back(fleet[a].id);
    ASSERT_EQ(got, expected) << "monitor key " << k;
  }
}

TEST(ShardTableTest, JoinTakesOnlyWhatTheNewcomerWins) {
  ShardTable table;
  std::vector<PlacementChange> changes;
  for (int a = 0; a < 10; ++a) table.AddAgent({.id = absl::StrCat("agent-", a)}, &changes);
  for (uint32_t k = 0; k < 5000; ++k) {
    ASSERT_TRUE(table.SetMonitor(k, {.id_hash = StableHash64(absl::StrCat("m", k))}, &changes).ok());
  }
  changes.clear();
  const uint32_t slot = table.AddAgent({.id = "agent-new"}, &changes);
  EXPECT_NEAR(changes.size(), 5000 / 11.0, 5000 * 0.2 / 11);
  for (const PlacementChange& c : changes) EXPECT_EQ(c.after, AgentIndexes{slot});
  EXPECT_EQ(table.load(slot), changes.size());
  EXPECT_EQ(table.stats().full, 0u);
}

TEST(ShardTableTest, LeaveMovesOnlyTheLeaversMonitors) {
  ShardTable table;
  std::vector<PlacementChange> changes;
  for (int a = 0; a < 10; ++a) table.AddAgent({.id = absl::StrCat("agent-", a)}, &changes);
  for (uint32_t k = 0; k < 5000; ++k) {
    ASSERT_TRUE(table.SetMonitor(k, {.id_hash = StableHash64(absl::StrCat("m", k)), .count = 2}, &changes).ok());
  }
  const uint32_t held = table.load(3);
  changes.clear();
  table.RemoveAgent(3, &changes);
  EXPECT_EQ(changes.size(), held);
  for (const PlacementChange& c : changes) {
    EXPECT_NE(std::find(c.before.begin(), c.before.end(), 3u), c.before.end());
    EXPECT_EQ(c.after.size(), 2u);
  }
}

TEST(ShardTableTest, BadSelectorChangesNothing) {
  ShardTable table;
  std::vector<PlacementChange> changes;
  table.AddAgent({.id = "agent-0"}, &changes);
  ASSERT_TRUE(table.SetMonitor(0, {.id_hash = 1}, &changes).ok());
  changes.clear();
  absl::Status s = table.SetMonitor(0, {.id_hash = 1, .selector = "=r1"}, &changes);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("locations.selector"), std::string::npos) << s;
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(table.assignment(0).size(), 1u);
}

}  // namespace
}  // namespace uptime::coordinator
