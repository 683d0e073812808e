#include "coordinator/cluster/planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

std::vector<AgentView> MakeAgents(int n, int regions = 3) {
  std::vector<AgentView> agents;
  for (int i = 0; i < n; ++i) {
    agents.push_back({absl::StrCat("agent-", i), {{"region", absl::StrCat("r", i % regions)}}, 100});
  }
  return agents;
}

std::vector<MonitorShape> MakeMonitors(int n, int count = 1, absl::string_view sel = {}) {
  std::vector<MonitorShape> monitors(n);
  for (int i = 0; i < n; ++i) {
    monitors[i].id_hash = StableHash64(absl::StrCat("mon-", i));
    monitors[i].count = count;
    monitors[i].selector = sel;
  }
  return monitors;
}

// The agent ids a plan gives each monitor.
std::vector<std::set<std::string>> Named(const ShardPlan& plan, const std::vector<AgentView>& agents) {
  std::vector<std::set<std::string>> out;
  for (const auto& a : plan.assignments) {
    std::set<std::string> ids;
    for (uint32_t i : a) ids.insert(agents[i].id);
    out.push_back(ids);
  }
  return out;
}

TEST(ShardingTest, BalancedWithinTheLoadCap) {
  auto agents = MakeAgents(10);
  auto monitors = MakeMonitors(50'000);
  ShardPlan plan = ComputePlan(monitors, agents);
  const double fair = 50'000 / 10.0;
  for (size_t a = 0; a < agents.size(); ++a) {
    EXPECT_LE(plan.load[a], fair * 1.25 + 1) << agents[a].id;
    EXPECT_GE(plan.load[a], fair * 0.75) << agents[a].id;
  }
}

TEST(ShardingTest, CapacityWeightsTheShare) {
  auto agents = MakeAgents(2);
  agents[0].capacity = 300;
  agents[1].capacity = 100;
  ShardPlan plan = ComputePlan(MakeMonitors(40'000), agents);
  EXPECT_NEAR(plan.load[0] / 40'000.0, 0.75, 0.03);
}

TEST(ShardingTest, JoiningAgentMovesOnlyAboutItsShare) {
  auto agents = MakeAgents(10);
  auto monitors = MakeMonitors(50'000);
  auto before = Named(ComputePlan(monitors, agents), agents);
  agents.push_back({"agent-new", {{"region", "r0"}}, 100});
  auto after = Named(ComputePlan(monitors, agents), agents);
  int moved = 0;
  for (size_t i = 0; i < before.size(); ++i) moved += before[i] != after[i];
  // Ideal is 1/11 of the monitors; allow 1.2x that.
  EXPECT_LE(moved, 50'000 * 1.2 / 11);
  EXPECT_GT(moved, 50'000 * 0.8 / 11);
}

TEST(ShardingTest, LeavingAgentMovesOnlyItsMonitors) {
  auto agents = MakeAgents(10);
  auto monitors = MakeMonitors(20'000);
  auto before = Named(ComputePlan(monitors, agents), agents);
  agents.erase(agents.begin() + 3);
  auto after = Named(ComputePlan(monitors, agents), agents);
  int moved_elsewhere = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    if (!before[i].contains("agent-3") && before[i] != after[i]) ++moved_elsewhere;
  }
  EXPECT_LE(moved_elsewhere, 20'000 / 100);  // only cap spill-over, if any
}

TEST(ShardingTest, DrainingAgentGetsNothing) {
  auto agents = MakeAgents(3);
  agents[1].draining = true;
  ShardPlan plan = ComputePlan(MakeMonitors(1000), agents);
  EXPECT_EQ(plan.load[1], 0u);
  EXPECT_EQ(plan.load[0] + plan.load[2], 1000u);
}

TEST(ShardingTest, KLocationsAreDistinctAndSelectorIsHonoured) {
  auto agents = MakeAgents(9, 3);
  auto monitors = MakeMonitors(300, 3);
  ShardPlan plan = ComputePlan(monitors, agents);
  for (const auto& chosen : plan.assignments) {
    ASSERT_EQ(chosen.size(), 3u);
    std::set<std::string> regions;
    for (uint32_t a : chosen) regions.insert(agents[a].labels.at("region"));
    EXPECT_EQ(regions.size(), 3u);
  }
  auto selected = MakeMonitors(300, 2, "region=r1");
  plan = ComputePlan(selected, agents);
  for (const auto& chosen : plan.assignments) {
    ASSERT_EQ(chosen.size(), 1u);  // only one distinct location matches
    EXPECT_EQ(agents[chosen[0]].labels.at("region"), "r1");
  }
}

TEST(ShardingTest, UncappedPlanIsPureRendezvous) {
  auto agents = MakeAgents(5);
  auto monitors = MakeMonitors(1000);
  ShardPlan plan = ComputePlan(monitors, agents);
  // Far from any cap, every monitor is on its rendezvous winner.
  for (size_t i = 0; i < monitors.size(); ++i) {
    double best = -1;
    uint32_t winner = 0;
    for (uint32_t a = 0; a < agents.size(); ++a) {
      double s = RendezvousScore(monitors[i].id_hash, StableHash64(agents[a].id), agents[a].capacity);
      if (s > best) best = s, winner = a;
    }
    ASSERT_EQ(plan.assignments[i], AgentIndexes{winner}) << i;
  }
}

TEST(ShardingTest, PlanDoesNotDependOnInputOrder) {
  auto agents = MakeAgents(7);
  auto monitors = MakeMonitors(2000, 2);
  // Tight caps, so placement order matters inside the plan.
  const ShardOptions tight{.load_factor = 1.0, .cap_slack = 0};
  auto forward = Named(ComputePlan(monitors, agents, tight), agents);
  std::reverse(agents.begin(), agents.end());
  std::reverse(monitors.begin(), monitors.end());
  auto backward = Named(ComputePlan(monitors, agents, tight), agents);
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(forward, backward);
}

TEST(ShardingTest, InvalidSelectorLeavesTheMonitorUnplaced) {
  auto agents = MakeAgents(3);
  auto monitors = MakeMonitors(3);
  monitors[1].selector = "=r1";
  ShardPlan plan = ComputePlan(monitors, agents);
  EXPECT_EQ(plan.assignments[0].size(), 1u);
  EXPECT_TRUE(plan.assignments[1].empty());
  EXPECT_EQ(plan.assignments[2].size(), 1u);
}

TEST(ShardingTest, NoAgentsMeansNoAssignment) {
  ShardPlan plan = ComputePlan(MakeMonitors(10), {});
  for (const auto& a : plan.assignments) EXPECT_TRUE(a.empty());
}

TEST(ShardingTest, StableHashIsStable) {
  EXPECT_EQ(StableHash64("a", "b"), StableHash64("a", "b"));
  EXPECT_NE(StableHash64("ab", "c"), StableHash64("a", "bc"));
}

}  // namespace
}  // namespace uptime::coordinator
