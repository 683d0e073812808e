#include "common/clock.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace uptime {
namespace {

TEST(SimulatedClockTest, AdvanceRunsDueTimersInOrderAtTheirDeadline) {
  SimulatedClock clock;
  const absl::Time t0 = clock.Now();
  std::vector<std::pair<int, absl::Time>> fired;
  clock.ScheduleAt(t0 + absl::Seconds(3), [&] { fired.push_back({3, clock.Now()}); });
  clock.ScheduleAt(t0 + absl::Seconds(1), [&] { fired.push_back({1, clock.Now()}); });
  clock.ScheduleAt(t0 + absl::Seconds(10), [&] { fired.push_back({10, clock.Now()}); });

  clock.Advance(absl::Seconds(5));

  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0].first, 1);
  EXPECT_EQ(fired[0].second, t0 + absl::Seconds(1));
  EXPECT_EQ(fired[1].first, 3);
  EXPECT_EQ(clock.Now(), t0 + absl::Seconds(5));
  EXPECT_EQ(clock.PendingTimers(), 1u);
}

TEST(SimulatedClockTest, TimerMayScheduleAnotherThatFallsDueInTheSameAdvance) {
  SimulatedClock clock;
  int count = 0;
  std::function<void()> tick = [&] {
    ++count;
    clock.ScheduleAt(clock.Now() + absl::Seconds(1), tick);
  };
  clock.ScheduleAt(clock.Now() + absl::Seconds(1), tick);
  clock.Advance(absl::Seconds(10));
  EXPECT_EQ(count, 10);
}

TEST(SimulatedClockTest, CancelledTimerNeverRuns) {
  SimulatedClock clock;
  bool fired = false;
  auto id = clock.ScheduleAt(clock.Now() + absl::Seconds(1), [&] { fired = true; });
  EXPECT_TRUE(clock.Cancel(id));
  EXPECT_FALSE(clock.Cancel(id));
  clock.Advance(absl::Seconds(2));
  EXPECT_FALSE(fired);
}

TEST(RealClockTest, TimerFires) {
  RealClock clock;
  absl::Notification done;
  clock.ScheduleAt(clock.Now() + absl::Milliseconds(5), [&] { done.Notify(); });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

}  // namespace
}  // namespace uptime
