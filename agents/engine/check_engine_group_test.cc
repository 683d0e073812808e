// CheckEngineGroup: monitors partitioned over several loops, against a real
// local HTTP server (tests/support).
#include "agents/engine/check_engine_group.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agents/testing/result_collector.h"
#include "gtest/gtest.h"
#include "tests/support/http_target.h"

namespace uptime::agent {
namespace {

using ::uptime::testing::HttpTarget;

constexpr size_t kLoops = 4;

using Results = ResultCollector;

std::string Id(int i) { return absl::StrCat("mon-", i); }

v1::AssignedMonitor Monitor(const std::string& id, const std::string& url,
                            absl::Duration interval = absl::Hours(1)) {
  v1::AssignedMonitor am;
  am.set_epoch(1);
  v1::Monitor* m = am.mutable_monitor();
  m->set_id(id);
  m->mutable_http()->set_url(url);
  m->mutable_interval()->set_seconds(absl::ToInt64Seconds(interval));
  m->mutable_timeout()->set_seconds(3);
  return am;
}

// Monitors per loop that LoopOf() predicts for `ids`.
std::vector<int64_t> Expected(const std::set<std::string>& ids) {
  std::vector<int64_t> per_loop(kLoops, 0);
  for (const std::string& id : ids) ++per_loop[CheckEngineGroup::LoopOf(id, kLoops)];
  return per_loop;
}

class CheckEngineGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto target = HttpTarget::Start();
    ASSERT_TRUE(target.ok()) << target.status();
    target_ = std::move(*target);
    CheckEngineOptions options;
    options.identity = {"agent-a", {{"region", "eu-west"}}};
    auto group = CheckEngineGroup::Create(options, kLoops, results_.callback());
    ASSERT_TRUE(group.ok()) << group.status();
    group_ = std::move(*group);
    group_->Start();
  }

  // Per loop, the monitors it schedules, once every command is applied.
  std::vector<int64_t> Scheduled() {
    EXPECT_TRUE(group_->WaitIdle(absl::Seconds(10)));
    std::vector<int64_t> per_loop;
    for (size_t i = 0; i < group_->loops(); ++i) per_loop.push_back(group_->loop_stats(i).monitors);
    return per_loop;
  }

  std::unique_ptr<HttpTarget> target_;
  Results results_;
  std::unique_ptr<CheckEngineGroup> group_;
};

TEST(CheckEngineGroupLoopOf, StableInRangeAndBalanced) {
  std::vector<int> count(kLoops, 0);
  for (int i = 0; i < 10000; ++i) {
    const size_t loop = CheckEngineGroup::LoopOf(Id(i), kLoops);
    ASSERT_LT(loop, kLoops);
    EXPECT_EQ(loop, CheckEngineGroup::LoopOf(Id(i), kLoops));  // a pure function of the id
    ++count[loop];
  }
  for (int c : count) EXPECT_NEAR(c, 2500, 200);
  EXPECT_EQ(CheckEngineGroup::LoopOf("anything", 1), 0u);
}

TEST(CheckEngineGroupCreate, RejectsBadLoopsAndConcurrency) {
  auto bad = CheckEngineGroup::Create({}, -1, [](std::vector<v1::CheckResult>) {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--loops"), std::string::npos);
  bad = CheckEngineGroup::Create({}, kMaxLoops + 1, [](std::vector<v1::CheckResult>) {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  CheckEngineOptions none;
  none.max_concurrency = 0;
  bad = CheckEngineGroup::Create(none, 2, [](std::vector<v1::CheckResult>) {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckEngineGroupCreate, DefaultIsOneLoopPerCoreAndNeverMoreThanConcurrency) {
  auto group = CheckEngineGroup::Create({}, 0, [](std::vector<v1::CheckResult>) {});
  ASSERT_TRUE(group.ok()) << group.status();
  EXPECT_EQ((*group)->loops(), static_cast<size_t>(CheckEngineGroup::DefaultLoops()));
  CheckEngineOptions two;
  two.max_concurrency = 2;
  group = CheckEngineGroup::Create(two, 8, [](std::vector<v1::CheckResult>) {});
  ASSERT_TRUE(group.ok()) << group.status();
  EXPECT_EQ((*group)->loops(), 2u);
}

TEST_F(CheckEngineGroupTest, EachMonitorOnExactlyOneLoopAcrossReassignments) {
  const std::string url = target_->url("/");
  std::set<std::string> ids;
  std::vector<v1::AssignedMonitor> all;
  for (int i = 0; i < 200; ++i) {
    ids.insert(Id(i));
    all.push_back(Monitor(Id(i), url));
  }
  ASSERT_TRUE(group_->ReplaceAll(all).ok());
  EXPECT_EQ(Scheduled(), Expected(ids));
  EXPECT_EQ(group_->stats().monitors, 200);

  // Deltas: removals reach the loop that runs the monitor, upserts of known
  // ids do not duplicate them elsewhere, new ones land on their own loop.
  std::vector<std::string> removed;
  std::vector<v1::AssignedMonitor> upserts;
  for (int i = 0; i < 50; ++i) {
    removed.push_back(Id(i));
    ids.erase(Id(i));
  }
  for (int i = 100; i < 300; ++i) {
    upserts.push_back(Monitor(Id(i), url));
    ids.insert(Id(i));
  }
  ASSERT_TRUE(group_->Apply(upserts, removed).ok());
  EXPECT_EQ(Scheduled(), Expected(ids));
  EXPECT_EQ(group_->stats().monitors, 250);

  // A full set again: monitors missing from it stop on every loop.
  std::vector<v1::AssignedMonitor> some;
  ids.clear();
  for (int i = 250; i < 400; ++i) {
    some.push_back(Monitor(Id(i), url));
    ids.insert(Id(i));
  }
  ASSERT_TRUE(group_->ReplaceAll(some).ok());
  EXPECT_EQ(Scheduled(), Expected(ids));
  ASSERT_TRUE(group_->ReplaceAll({}).ok());
  EXPECT_EQ(Scheduled(), std::vector<int64_t>(kLoops, 0));
}

TEST_F(CheckEngineGroupTest, ResultsOfAllLoopsArriveOncePerSlot) {
  // 40 monitors at 1 s for a few seconds: every loop runs some, each monitor
  // gets results, and no slot of a monitor is checked twice (which two
  // loops running the same monitor would do).
  const std::string url = target_->url("/");
  std::vector<v1::AssignedMonitor> monitors;
  std::set<size_t> loops_used;
  for (int i = 0; i < 40; ++i) {
    monitors.push_back(Monitor(Id(i), url, absl::Seconds(1)));
    loops_used.insert(CheckEngineGroup::LoopOf(Id(i), kLoops));
  }
  ASSERT_EQ(loops_used.size(), kLoops);
  ASSERT_TRUE(group_->ReplaceAll(monitors).ok());
  std::vector<v1::CheckResult> results = results_.Wait(40 * 3);
  ASSERT_TRUE(group_->ReplaceAll({}).ok());
  ASSERT_TRUE(group_->WaitIdle(absl::Seconds(10)));
  ASSERT_GE(results.size(), 40u * 3);
  std::map<std::string, int> per_monitor;
  std::set<std::pair<std::string, int64_t>> slots;
  for (const v1::CheckResult& r : results) {
    EXPECT_TRUE(r.success()) << r.monitor_id() << ": " << r.error_message();
    EXPECT_EQ(r.agent_id(), "agent-a");
    ++per_monitor[r.monitor_id()];
    EXPECT_TRUE(slots.emplace(r.monitor_id(), r.scheduled_time_us()).second)
        << r.monitor_id() << " checked twice for one slot";
  }
  EXPECT_EQ(per_monitor.size(), 40u);
  for (size_t i = 0; i < kLoops; ++i) EXPECT_GT(group_->loop_stats(i).completed, 0) << "loop " << i;
}

TEST_F(CheckEngineGroupTest, RunOnceGoesToTheMonitorsLoop) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(group_->RunOnce(Monitor(Id(i), target_->url("/"))).ok());
  std::vector<v1::CheckResult> results = results_.Wait(20);
  ASSERT_EQ(results.size(), 20u);
  ASSERT_TRUE(group_->WaitIdle(absl::Seconds(10)));
  std::set<std::string> ids;
  for (const auto& r : results) {
    EXPECT_TRUE(r.success()) << r.error_message();
    ids.insert(r.monitor_id());
  }
  EXPECT_EQ(ids.size(), 20u);
  std::vector<int64_t> per_loop(kLoops, 0);
  for (int i = 0; i < 20; ++i) ++per_loop[CheckEngineGroup::LoopOf(Id(i), kLoops)];
  for (size_t i = 0; i < kLoops; ++i) EXPECT_EQ(group_->loop_stats(i).completed, per_loop[i]);
  EXPECT_EQ(group_->stats().completed, 20);
}

}  // namespace
}  // namespace uptime::agent
