#include "agents/scheduling/scheduler.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000) + absl::Milliseconds(123);

std::vector<std::string> Ids(const std::vector<ScheduledJob>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  return ids;
}

// Runs the prompt first check of the only monitor in `s` and returns when it
// was planned; the monitor is then on its phase-aligned slots.
absl::Time RunFirstCheck(Scheduler& s) {
  const absl::Time first = *s.NextDue();
  std::vector<ScheduledJob> jobs = s.PopDue(first);
  EXPECT_EQ(jobs.size(), 1u);
  for (const auto& j : jobs) s.Complete(j.id);
  return first;
}

TEST(SchedulerTest, NewMonitorIsCheckedPromptlyThenOnPhaseAlignedSlots) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(60);
  s.Upsert("m1", iv, kStart);
  ASSERT_TRUE(s.NextDue().has_value());
  const absl::Time first = *s.NextDue();
  EXPECT_GE(first, kStart);
  EXPECT_LT(first, kStart + absl::Seconds(1));  // not up to a whole interval later
  EXPECT_EQ(first, Scheduler::FirstRun("m1", iv, absl::Seconds(1), kStart));
  RunFirstCheck(s);
  // Then the absolute phase, so any agent computes the same slots, and not
  // bunched with the first check.
  const absl::Time second = *s.NextDue();
  EXPECT_EQ((second - absl::UnixEpoch()) % iv, Scheduler::Phase("m1", iv));
  EXPECT_GE(second, first + iv / 2);
  EXPECT_LT(second, first + iv / 2 + iv);
}

TEST(SchedulerTest, ShortIntervalStartsOnItsFirstSlotWithoutAnExtraCheck) {
  // An interval within the first-run window: the first slot is prompt
  // enough, and an extra check would double a big assignment's first load.
  for (absl::Duration iv : {absl::Milliseconds(200), absl::Seconds(1)}) {
    Scheduler s;
    s.Upsert("m", iv, kStart);
    const absl::Time first = *s.NextDue();
    EXPECT_LT(first, kStart + iv);
    EXPECT_EQ((first - absl::UnixEpoch()) % iv, Scheduler::Phase("m", iv));
    RunFirstCheck(s);
    EXPECT_EQ(*s.NextDue(), first + iv);
  }
  Scheduler slow_start(absl::Seconds(5));
  slow_start.Upsert("m", absl::Seconds(60), kStart);
  EXPECT_LT(*slow_start.NextDue(), kStart + absl::Seconds(5));
}

// Driven by the simulated clock as the engine loop would be: wake every
// millisecond, start what is due.
TEST(SchedulerTest, ABigNewAssignmentSpreadsOverTheFirstSecond) {
  SimulatedClock clock(kStart);
  Scheduler s;
  constexpr int kMonitors = 10000;
  for (int i = 0; i < kMonitors; ++i) {
    s.Upsert(absl::StrFormat("mon-%016x", 0x9e3779b97f4a7c15ULL * (i + 1)), absl::Seconds(60),
             clock.Now());
  }
  std::map<int64_t, int> per_ms;
  int started = 0;
  for (int ms = 0; ms <= 1000; ++ms) {
    for (const ScheduledJob& job : s.PopDue(clock.Now())) {
      EXPECT_LE(clock.Now() - job.planned, absl::Milliseconds(1));
      ++per_ms[absl::ToInt64Milliseconds(job.planned - kStart)];
      ++started;
      s.Complete(job.id);
    }
    clock.Advance(absl::Milliseconds(1));
  }
  EXPECT_EQ(started, kMonitors);  // every one checked within the first second
  // ~10 per millisecond on average; no millisecond gets a burst.
  EXPECT_EQ(per_ms.size(), 1000u);
  for (const auto& [ms, n] : per_ms) EXPECT_LE(n, 40) << "at " << ms << " ms";
  // And none runs again before its first phase-aligned slot.
  EXPECT_GE(*s.NextDue(), kStart + absl::Seconds(30));
}

TEST(SchedulerTest, HandedOverMonitorJoinsThePreviousAgentsSlots) {
  const absl::Duration iv = absl::Seconds(10);
  Scheduler old_agent, new_agent;
  old_agent.Upsert("m", iv, kStart);
  RunFirstCheck(old_agent);
  // The monitor moves 42 s later: one prompt check, then the same slots.
  const absl::Time handover = kStart + absl::Seconds(42);
  new_agent.Upsert("m", iv, handover);
  const absl::Time prompt = RunFirstCheck(new_agent);
  EXPECT_LT(prompt, handover + absl::Seconds(1));
  std::vector<absl::Time> old_slots, new_slots;
  for (absl::Time t = kStart; t < handover + 3 * iv; t += absl::Milliseconds(100)) {
    for (const auto& j : old_agent.PopDue(t)) {
      if (j.planned > prompt) old_slots.push_back(j.planned);
      old_agent.Complete(j.id);
    }
    for (const auto& j : new_agent.PopDue(t)) {
      new_slots.push_back(j.planned);
      new_agent.Complete(j.id);
    }
  }
  ASSERT_GE(new_slots.size(), 2u);
  // The new agent skips old slots closer than half an interval to its
  // prompt check, then keeps exactly the old agent's slots.
  while (!old_slots.empty() && old_slots.front() < new_slots.front()) {
    old_slots.erase(old_slots.begin());
  }
  ASSERT_GE(old_slots.size(), new_slots.size());
  old_slots.resize(new_slots.size());
  EXPECT_EQ(new_slots, old_slots);
}

TEST(SchedulerTest, PhasesSpreadOverTheInterval) {
  Scheduler s;
  const absl::Duration iv = absl::Seconds(10);
  constexpr int kMonitors = 1000;
  for (int i = 0; i < kMonitors; ++i) s.Upsert(absl::StrCat("monitor-", i), iv, kStart);
  for (const auto& j : s.PopDue(kStart + absl::Seconds(1))) s.Complete(j.id);  // first checks
  // Count the aligned slots per 1 s of phase: an even spread puts ~100 in each.
  std::vector<int> buckets(10, 0);
  // Each one's first aligned slot is within [first + iv/2, first + 1.5 iv);
  // later slots find it still running (no Complete) and are not jobs.
  auto jobs = s.PopDue(kStart + absl::Seconds(1) + iv * 3 / 2);
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kMonitors));
  for (const auto& j : jobs) {
    ++buckets[absl::ToInt64Seconds((j.planned - absl::UnixEpoch()) % iv)];
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
  RunFirstCheck(s);
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
  RunFirstCheck(s);
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
  RunFirstCheck(s);
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
  auto all = s.PopDue(kStart + absl::Seconds(1));  // the first checks
  ASSERT_EQ(all.size(), 2u);
  s.Complete("a");
  s.Complete("b");
  absl::Time b_next;
  {
    Scheduler probe;  // where b goes when untouched
    probe.Upsert("b", absl::Seconds(10), kStart);
    RunFirstCheck(probe);
    b_next = *probe.NextDue();
  }
  const absl::Time now = kStart + absl::Seconds(1);
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
  RunFirstCheck(s);
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

TEST(SchedulerTest, AfterAStallLateSlotsAreShedAndTheRestRunOnTheirSlots) {
  // What the engine runs: late slots beyond 10% of the interval are shed.
  Scheduler s(absl::Seconds(1), 0.1);
  const absl::Duration iv = absl::Seconds(1);
  constexpr int kMonitors = 1000;
  for (int i = 0; i < kMonitors; ++i) s.Upsert(absl::StrCat("m", i), iv, kStart);
  absl::Time now = kStart;
  auto run_until = [&](absl::Time end, std::map<std::string, int>* runs) {
    for (; now < end; now += absl::Milliseconds(1)) {
      for (const ScheduledJob& j : s.PopDue(now)) {
        EXPECT_LE(now - j.planned, absl::Milliseconds(100)) << j.id;
        ++(*runs)[j.id];
        s.Complete(j.id);
      }
    }
  };
  std::map<std::string, int> before;
  run_until(kStart + 2 * iv, &before);
  EXPECT_EQ(s.skipped(), 0);
  // The loop stalls for 1.5 intervals, then wakes with every monitor due.
  now += absl::Milliseconds(1500);
  std::vector<ScheduledJob> resumed = s.PopDue(now);
  // Only the slots at most 100 ms late run (~10% of the monitors); the rest
  // are counted, not started in one burst.
  EXPECT_GT(resumed.size(), kMonitors / 20u);
  EXPECT_LT(resumed.size(), kMonitors / 5u);
  std::set<std::string> once;
  for (const ScheduledJob& j : resumed) {
    EXPECT_TRUE(once.insert(j.id).second) << j.id << " twice";
    EXPECT_LE(now - j.planned, absl::Milliseconds(100));
    s.Complete(j.id);
  }
  // Each monitor had 1 or 2 slots inside the stall (1.5 intervals); all but
  // the few run at once are counted.
  EXPECT_GE(s.skipped() + static_cast<int64_t>(resumed.size()), kMonitors);
  EXPECT_LE(s.skipped() + static_cast<int64_t>(resumed.size()), 2 * kMonitors);
  // Then every monitor is back on its own slots: one check each per
  // interval, none late.
  std::map<std::string, int> after;
  run_until(now + iv + absl::Milliseconds(1), &after);
  EXPECT_EQ(after.size(), static_cast<size_t>(kMonitors));
  for (const auto& [id, n] : after) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(s.overruns(), 0);
}

TEST(SchedulerTest, OverrunWinsOverShedding) {
  Scheduler s(absl::Seconds(1), 0.1);
  const absl::Duration iv = absl::Seconds(1);
  s.Upsert("m", iv, kStart);
  const absl::Time first = *s.NextDue();
  ASSERT_EQ(s.PopDue(first).size(), 1u);
  // Its check still runs, and the next slot is popped late: an overrun.
  EXPECT_TRUE(s.PopDue(first + iv + absl::Milliseconds(500)).empty());
  EXPECT_EQ(s.overruns(), 1);
  EXPECT_EQ(s.skipped(), 0);
  s.Complete("m");
  // Free, but popped 500 ms late: shed.
  EXPECT_TRUE(s.PopDue(first + 2 * iv + absl::Milliseconds(500)).empty());
  EXPECT_EQ(s.skipped(), 1);
  // On time again: runs.
  EXPECT_EQ(s.PopDue(first + 3 * iv).size(), 1u);
}

// A random walk of a loop that is sometimes slow, sometimes stalled, with
// checks that sometimes outlive their interval: the guarantees hold at
// every step, and every slot is accounted for exactly once (a check, an
// overrun or a skip), never stacked.
TEST(SchedulerTest, EverySlotIsRunOrCountedOnceAndChecksNeverStack) {
  for (double shed : {0.0, 0.1}) {
    Scheduler s(absl::Seconds(1), shed);
    const absl::Duration iv = absl::Milliseconds(500);
    constexpr int kMonitors = 200;
    for (int i = 0; i < kMonitors; ++i) s.Upsert(absl::StrCat("m", i), iv, kStart);
    std::map<std::string, absl::Time> first_slot, running_until;
    for (int i = 0; i < kMonitors; ++i) {
      const std::string id = absl::StrCat("m", i);
      first_slot[id] = kStart + ((Scheduler::Phase(id, iv) - (kStart - absl::UnixEpoch()) % iv) + iv) % iv;
    }
    uint64_t rng = 42;
    auto next = [&](uint64_t n) {
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      return (rng >> 33) % n;
    };
    int64_t jobs = 0;
    absl::Time now = kStart;
    for (int step = 0; step < 3000; ++step) {
      // Mostly small steps; now and then a stall of up to 3 intervals.
      now += next(50) == 0 ? absl::Milliseconds(200 + next(1300)) : absl::Milliseconds(1 + next(20));
      for (auto it = running_until.begin(); it != running_until.end();) {
        if (it->second > now) {
          ++it;
          continue;
        }
        s.Complete(it->first);
        it = running_until.erase(it);
      }
      for (const ScheduledJob& j : s.PopDue(now)) {
        ASSERT_FALSE(running_until.contains(j.id)) << j.id << " started twice at once";
        ASSERT_LE(j.planned, now);
        if (shed > 0) {
          ASSERT_LE(now - j.planned, iv * shed) << j.id;
        }
        ASSERT_LT(now - j.planned, iv);
        // A check lasts up to 1.5 intervals: some outlive their slot.
        running_until[j.id] = now + absl::Milliseconds(next(750));
        ++jobs;
      }
      ASSERT_EQ(s.running(), running_until.size());
    }
    int64_t slots = 0;
    for (const auto& [id, first] : first_slot) {
      if (first <= now) slots += 1 + (now - first) / iv;
    }
    EXPECT_EQ(jobs + s.overruns() + s.skipped(), slots) << "shed " << shed;
    EXPECT_GT(s.overruns(), 0);
    EXPECT_GT(s.skipped(), 0);
  }
}

TEST(SchedulerTest, PlannedRateFollowsTheMonitors) {
  Scheduler s;
  EXPECT_EQ(s.planned_rate(), 0);
  for (int i = 0; i < 10; ++i) s.Upsert(absl::StrCat("fast", i), absl::Seconds(1), kStart);
  for (int i = 0; i < 5; ++i) s.Upsert(absl::StrCat("slow", i), absl::Seconds(10), kStart);
  EXPECT_DOUBLE_EQ(s.planned_rate(), 10.5);
  s.Upsert("slow0", absl::Seconds(1), kStart);
  EXPECT_DOUBLE_EQ(s.planned_rate(), 11.4);
  s.Remove("fast0");
  EXPECT_DOUBLE_EQ(s.planned_rate(), 10.4);
  for (int i = 1; i < 10; ++i) s.Remove(absl::StrCat("fast", i));
  for (int i = 0; i < 5; ++i) s.Remove(absl::StrCat("slow", i));
  EXPECT_EQ(s.planned_rate(), 0);
}

}  // namespace
}  // namespace uptime::agent
