#include "coordinator/sharding.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

std::vector<AgentView> MakeAgents(int n) {
  std::vector<AgentView> agents;
  for (int i = 0; i < n; ++i) {
    agents.push_back({absl::StrCat("agent-", i), {{"region", absl::StrCat("r", i % 3)}}, 100});
  }
  return agents;
}

std::vector<const AgentView*> Ptrs(const std::vector<AgentView>& agents) {
  std::vector<const AgentView*> p;
  for (const auto& a : agents) p.push_back(&a);
  return p;
}

TEST(ShardingTest, SpreadsRoughlyEvenly) {
  auto agents = MakeAgents(4);
  auto ptrs = Ptrs(agents);
  std::map<std::string, int> load;
  for (int m = 0; m < 20000; ++m) {
    auto picked = PickAgents(absl::StrCat("mon-", m), LabelSelector(), "region", 1, ptrs);
    ASSERT_EQ(picked.size(), 1u);
    ++load[picked[0]];
  }
  for (const auto& [id, n] : load) {
    EXPECT_GT(n, 4500) << id;
    EXPECT_LT(n, 5500) << id;
  }
}

TEST(ShardingTest, LeavingAgentMovesOnlyItsMonitors) {
  auto agents = MakeAgents(5);
  auto before = Ptrs(agents);
  auto after = before;
  after.erase(after.begin() + 2);
  for (int m = 0; m < 5000; ++m) {
    const std::string id = absl::StrCat("mon-", m);
    auto a = PickAgents(id, LabelSelector(), "region", 1, before);
    auto b = PickAgents(id, LabelSelector(), "region", 1, after);
    if (a[0] != "agent-2") {
      EXPECT_EQ(a, b) << id;
    }
  }
}

TEST(ShardingTest, DistinctLocationsAndSelector) {
  auto agents = MakeAgents(6);
  auto ptrs = Ptrs(agents);
  auto picked = PickAgents("mon-x", LabelSelector(), "region", 3, ptrs);
  ASSERT_EQ(picked.size(), 3u);
  std::set<std::string> regions;
  for (const auto& id : picked) {
    for (const auto& a : agents) {
      if (a.id == id) regions.insert(a.labels.at("region"));
    }
  }
  EXPECT_EQ(regions.size(), 3u);

  auto sel = LabelSelector::Parse("s", "region=r1");
  ASSERT_TRUE(sel.ok());
  picked = PickAgents("mon-x", *sel, "region", 3, ptrs);
  ASSERT_EQ(picked.size(), 1u);  // one distinct location matches
}

TEST(ShardingTest, StableHashIsStable) {
  EXPECT_EQ(StableHash64("a", "b"), StableHash64("a", "b"));
  EXPECT_NE(StableHash64("ab", "c"), StableHash64("a", "bc"));
}

}  // namespace
}  // namespace uptime::coordinator
