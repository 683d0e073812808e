#include "coordinator/cluster/shard_table.h"

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

// A monitor as the test owns it (MonitorShape only views strings).
struct TestMonitor {
  uint64_t id_hash = 0;
  std::string selector = {};
  std::string label = {};
  int count = 1;

  MonitorShape shape() const {
    return {.id_hash = id_hash, .selector = selector, .location_label = label, .count = count};
  }
};

struct Scenario {
  std::string name = {};
  ShardOptions options = {};
  bool vary_capacity = false;
  // Selectors that send many monitors to few agents make plans capped.
  bool selectors = true;
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
    // Some agents lack the label: each is then a location of its own.
    if (Pick(5) != 0) view.labels["region"] = absl::StrCat("r", Pick(3));
    if (Pick(2) == 0) view.labels["zone"] = absl::StrCat("z", Pick(2));
    view.capacity = s_.vary_capacity ? 50 * (1 + Pick(4)) : 100;
    return view;
  }

  TestMonitor RandomMonitor() {
    static const char* kSelectors[] = {"", "", "", "region=r1", "region!=r2", "zone"};
    static const char* kLabels[] = {"", "region", "zone"};
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
    for (size_t i = 0; i < keys.size(); ++i) {
      std::vector<std::string> want, got;
      for (uint32_t a : full.assignments[i]) want.push_back(agents[a].id);
      for (uint32_t slot : table_.assignment(keys[i])) got.push_back(slots_[slot].id);
      ASSERT_EQ(got, want) << "monitor key " << keys[i];
      ASSERT_EQ(mirror_[keys[i]], table_.assignment(keys[i])) << "monitor key " << keys[i];
    }
    for (size_t a = 0; a < agents.size(); ++a) {
      ASSERT_EQ(table_.load(agent_slots[a]), full.load[a]) << agents[a].id;
    }
  }

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
    EXPECT_GT(sim.table().stats().full, 10u);
    EXPECT_GT(sim.table().stats().drifted, 10u);
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
