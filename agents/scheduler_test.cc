#include "agents/scheduler.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000) + absl::Milliseconds(123);

std::vector<std::string> Ids(const std::vector<ScheduledJob>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  return ids;
}

TEST(SchedulerTest, FirstRunIsPhaseAlignedWithinOneInterval) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(10);
  s.Upsert("m1", iv, kStart);
  ASSERT_TRUE(s.NextDue().has_value());
  const absl::Time first = *s.NextDue();
  EXPECT_GE(first, kStart);
  EXPECT_LT(first, kStart + iv);
  // Aligned to the absolute phase, so any agent computes the same slots.
  EXPECT_EQ((first - absl::UnixEpoch()) % iv, Scheduler::Phase("m1", iv));
  Scheduler other;
  other.Upsert("m1", iv, kStart + absl::Seconds(3));
  EXPECT_EQ((*other.NextDue() - first) % iv, absl::ZeroDuration());
}

TEST(SchedulerTest, PhasesSpreadOverTheInterval) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(10);
  constexpr int kMonitors = 1000;
  for (int i = 0; i < kMonitors; ++i) s.Upsert(absl::StrCat("monitor-", i), iv, kStart);
  // Count first runs per 1 s bucket: an even spread puts ~100 in each.
  std::vector<int> buckets(10, 0);
  auto jobs = s.PopDue(kStart + iv);
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kMonitors));
  for (const auto& j : jobs) {
    ASSERT_GE(j.planned, kStart);
    ASSERT_LT(j.planned, kStart + iv);
    ++buckets[absl::ToInt64Seconds(j.planned - kStart)];
  }
  for (int b : buckets) {
    EXPECT_GT(b, 60);
    EXPECT_LT(b, 140);
  }
}

TEST(SchedulerTest, NoDriftOver1000Periods) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(1);
  s.Upsert("m", iv, kStart);
  const absl::Time first = *s.NextDue();
  for (int i = 0; i < 1000; ++i) {
    const absl::Time due = *s.NextDue();
    EXPECT_EQ(due, first + i * iv);
    // Run a bit late and take a while: neither may move the next slot.
    auto jobs = s.PopDue(due + absl::Milliseconds(7));
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].planned, due);
    s.Complete("m");
  }
  EXPECT_EQ(*s.NextDue(), first + 1000 * iv);
  EXPECT_EQ(s.overruns(), 0);
  EXPECT_EQ(s.skipped(), 0);
}

TEST(SchedulerTest, NotDueBeforeItsSlot) {
  Scheduler s;
  s.Upsert("m", absl::Seconds(5), kStart);
  const absl::Time due = *s.NextDue();
  EXPECT_TRUE(s.PopDue(due - absl::Microseconds(1)).empty());
  EXPECT_EQ(s.PopDue(due).size(), 1u);
}

TEST(SchedulerTest, OverrunIsCountedNotStacked) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(2);
  s.Upsert("m", iv, kStart);
  const absl::Time first = *s.NextDue();
  ASSERT_EQ(s.PopDue(first).size(), 1u);
  EXPECT_TRUE(s.IsRunning("m"));
  // The next slot comes while the check still runs: no second check.
  EXPECT_TRUE(s.PopDue(first + iv).empty());
  EXPECT_EQ(s.overruns(), 1);
  EXPECT_EQ(*s.NextDue(), first + 2 * iv);
  s.Complete("m");
  auto jobs = s.PopDue(first + 2 * iv);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].planned, first + 2 * iv);
  EXPECT_EQ(s.overruns(), 1);
}

TEST(SchedulerTest, FallingBehindSkipsMissedSlots) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(1);
  s.Upsert("m", iv, kStart);
  const absl::Time first = *s.NextDue();
  // The loop wakes 5.5 intervals late: one check, for the latest slot.
  auto jobs = s.PopDue(first + absl::Milliseconds(5500));
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].planned, first + 5 * iv);
  EXPECT_EQ(s.skipped(), 5);
  EXPECT_EQ(*s.NextDue(), first + 6 * iv);
}

TEST(SchedulerTest, UpsertWithSameIntervalKeepsPhaseAndState) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(30);
  EXPECT_TRUE(s.Upsert("a", iv, kStart));
  EXPECT_TRUE(s.Upsert("b", iv, kStart));
  const absl::Time a_due = *s.NextDue();
  EXPECT_FALSE(s.Upsert("a", iv, kStart + absl::Seconds(7)));
  EXPECT_FALSE(s.Upsert("b", iv, kStart + absl::Seconds(7)));
  EXPECT_EQ(*s.NextDue(), a_due);
  EXPECT_EQ(s.size(), 2u);
}

TEST(SchedulerTest, UpsertWithNewIntervalMovesOnlyThatMonitor) {
  Scheduler s;
  s.Upsert("a", absl::Seconds(10), kStart);
  s.Upsert("b", absl::Seconds(10), kStart);
  auto all = s.PopDue(kStart + absl::Seconds(10));
  ASSERT_EQ(all.size(), 2u);
  s.Complete("a");
  s.Complete("b");
  absl::Time b_next;
  {
    Scheduler probe;  // where b goes when untouched
    probe.Upsert("b", absl::Seconds(10), kStart);
    b_next = *probe.NextDue() + absl::Seconds(10);
  }
  const absl::Time now = kStart + absl::Seconds(10);
  s.Upsert("a", absl::Seconds(60), now);
  // Collect both monitors' next slots.
  std::map<std::string, absl::Time> next;
  for (absl::Time t = now; next.size() < 2; t += absl::Milliseconds(100)) {
    for (const auto& j : s.PopDue(t)) {
      next.emplace(j.id, j.planned);
      s.Complete(j.id);
    }
  }
  EXPECT_EQ(next["b"], b_next);
  const absl::Time a_next = next["a"];
  EXPECT_EQ((a_next - absl::UnixEpoch()) % absl::Seconds(60),
            Scheduler::Phase("a", absl::Seconds(60)));
}

TEST(SchedulerTest, RemoveStopsChecks) {
  Scheduler s;
  s.Upsert("a", absl::Seconds(1), kStart);
  s.Upsert("b", absl::Seconds(1), kStart);
  EXPECT_TRUE(s.Remove("a"));
  EXPECT_FALSE(s.Remove("a"));
  EXPECT_FALSE(s.Contains("a"));
  for (int i = 1; i <= 5; ++i) {
    auto jobs = s.PopDue(kStart + i * absl::Seconds(1));
    EXPECT_EQ(Ids(jobs), std::vector<std::string>{"b"});
    s.Complete("b");
  }
  EXPECT_TRUE(s.Remove("b"));
  EXPECT_FALSE(s.NextDue().has_value());
  EXPECT_EQ(s.size(), 0u);
}

TEST(SchedulerTest, RemoveAndReAddWhileRunningDoesNotStack) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(1);
  s.Upsert("m", iv, kStart);
  const absl::Time first = *s.NextDue();
  ASSERT_EQ(s.PopDue(first).size(), 1u);
  s.Remove("m");
  s.Upsert("m", iv, first + absl::Milliseconds(10));
  EXPECT_TRUE(s.IsRunning("m"));
  EXPECT_TRUE(s.PopDue(first + iv).empty());  // still running: overrun
  EXPECT_EQ(s.overruns(), 1);
  s.Complete("m");
  EXPECT_EQ(s.PopDue(first + 2 * iv).size(), 1u);
}

TEST(SchedulerTest, MaxJobsLeavesTheRestDue) {
  Scheduler s;
  for (int i = 0; i < 10; ++i) s.Upsert(absl::StrCat("m", i), absl::Seconds(1), kStart);
  const absl::Time t = kStart + absl::Seconds(1);
  EXPECT_EQ(s.PopDue(t, 4).size(), 4u);
  EXPECT_LE(*s.NextDue(), t);
  EXPECT_EQ(s.PopDue(t, 100).size(), 6u);
  EXPECT_EQ(s.running(), 10u);
}

TEST(SchedulerTest, ChurnKeepsHeapBounded) {
  Scheduler s;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 50; ++i) {
      s.Upsert(absl::StrCat("m", i), absl::Seconds(1 + (round + i) % 7), kStart);
    }
    s.Remove(absl::StrCat("m", round % 50));
  }
  // Each active monitor runs exactly once per its interval.
  EXPECT_EQ(s.size(), 49u);
  auto jobs = s.PopDue(kStart + absl::Seconds(7));
  std::set<std::string> ids;
  for (const auto& j : jobs) EXPECT_TRUE(ids.insert(j.id).second) << j.id;
  EXPECT_EQ(ids.size(), 49u);
}

}  // namespace
}  // namespace uptime::agent
