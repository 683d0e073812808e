// MergeFallback: labels recorded in Redis joined to the statuses there.
// (RedisFallback against a real Redis: tests/e2e/gateway_test.cc.)
#include "gateway/redis_fallback.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

v1::MonitorStatus Status(const std::string& id, v1::State state) {
  v1::MonitorStatus s;
  s.set_monitor_id(id);
  s.set_state(state);
  return s;
}

TEST(MergeFallbackTest, LabelsCoveringEveryStatusAreKnown) {
  FallbackSnapshot merged =
      MergeFallback({Status("a", v1::STATE_UP), Status("b", v1::STATE_DOWN)},
                    LabelsById{{"a", {{"team", "core"}}}, {"b", {}}, {"gone", {{"x", "y"}}}});
  EXPECT_TRUE(merged.labels_known);
  ASSERT_EQ(merged.entries.size(), 2u);  // labels alone make no entry
  EXPECT_EQ(merged.entries["a"].labels, (std::map<std::string, std::string>{{"team", "core"}}));
  EXPECT_EQ(merged.entries["a"].status.state(), v1::STATE_UP);
  EXPECT_TRUE(merged.entries["b"].labels.empty());
  EXPECT_EQ(merged.entries["b"].status.state(), v1::STATE_DOWN);
}

TEST(MergeFallbackTest, AStatusTheRecordMissesLeavesEveryLabelUnknown) {
  FallbackSnapshot merged =
      MergeFallback({Status("a", v1::STATE_UP), Status("new", v1::STATE_PENDING)},
                    LabelsById{{"a", {{"team", "core"}}}});
  EXPECT_FALSE(merged.labels_known);
  ASSERT_EQ(merged.entries.size(), 2u);
  EXPECT_TRUE(merged.entries["a"].labels.empty());
  EXPECT_EQ(merged.entries["new"].status.state(), v1::STATE_PENDING);
}

TEST(MergeFallbackTest, NoRecordMeansUnknownLabels) {
  FallbackSnapshot merged = MergeFallback({Status("a", v1::STATE_UP)},
                                          absl::NotFoundError("redis holds no monitor labels"));
  EXPECT_FALSE(merged.labels_known);
  ASSERT_EQ(merged.entries.size(), 1u);
  EXPECT_EQ(merged.entries["a"].status.state(), v1::STATE_UP);
}

}  // namespace
}  // namespace uptime::gateway
