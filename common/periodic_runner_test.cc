#include "common/periodic_runner.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace uptime {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);  // real time, only on failure

class PeriodicRunnerTest : public ::testing::Test {
 protected:
  std::vector<absl::Time> runs() {
    absl::MutexLock lock(&mu_);
    return runs_;
  }

  SimulatedClock clock_;
  absl::Mutex mu_;
  std::vector<absl::Time> runs_ ABSL_GUARDED_BY(mu_);
};

TEST_F(PeriodicRunnerTest, RunsAtStartThenWhenTheClockSaysSo) {
  PeriodicRunner runner(&clock_, "test", [this](absl::Time now) {
    absl::MutexLock lock(&mu_);
    runs_.push_back(now);
    return now + absl::Seconds(5);
  });
  const absl::Time t0 = clock_.Now();
  runner.Start();
  ASSERT_TRUE(runner.WaitForPass(0, kWait));
  EXPECT_EQ(runs(), std::vector<absl::Time>{t0});

  clock_.Advance(absl::Seconds(4));  // not due yet
  EXPECT_FALSE(runner.WaitForPass(1, absl::Milliseconds(50)));
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(runner.WaitForPass(1, kWait));
  EXPECT_EQ(runs().back(), t0 + absl::Seconds(5));
  runner.Stop();
}

TEST_F(PeriodicRunnerTest, KickRunsAPassNowAndKicksCoalesce) {
  PeriodicRunner runner(&clock_, "test", [this](absl::Time now) {
    absl::MutexLock lock(&mu_);
    runs_.push_back(now);
    return absl::InfiniteFuture();  // only when kicked
  });
  runner.Start();
  ASSERT_TRUE(runner.WaitForPass(0, kWait));
  runner.Kick();
  ASSERT_TRUE(runner.WaitForPass(1, kWait));
  clock_.Advance(absl::Hours(24));  // no timer: nothing runs
  EXPECT_FALSE(runner.WaitForPass(2, absl::Milliseconds(50)));
  EXPECT_EQ(clock_.PendingTimers(), 0u);
  runner.Stop();
  EXPECT_EQ(runs().size(), 2u);
}

TEST_F(PeriodicRunnerTest, StopCancelsTheTimerAndCanStartAgain) {
  std::atomic<int> passes{0};
  PeriodicRunner runner(&clock_, "test", [&](absl::Time now) {
    ++passes;
    return now + absl::Seconds(1);
  });
  runner.Start();
  ASSERT_TRUE(runner.WaitForPass(0, kWait));
  runner.Stop();
  runner.Stop();  // idempotent
  EXPECT_FALSE(runner.running());
  EXPECT_EQ(clock_.PendingTimers(), 0u);
  clock_.Advance(absl::Seconds(10));  // nothing fires after Stop
  EXPECT_EQ(passes.load(), 1);

  runner.Start();
  ASSERT_TRUE(runner.WaitForPass(1, kWait));
  EXPECT_EQ(passes.load(), 2);
}

TEST_F(PeriodicRunnerTest, ATimerFiringAfterTheRunnerIsGoneIsHarmless) {
  {
    PeriodicRunner runner(&clock_, "test", [](absl::Time now) { return now + absl::Seconds(1); });
    runner.Start();
    ASSERT_TRUE(runner.WaitForPass(0, kWait));
  }  // destroyed: Stop() cancelled its timer
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(clock_.PendingTimers(), 0u);
}

}  // namespace
}  // namespace uptime
