#include "agents/scheduling/start_pacer.h"

#include <limits>

#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

const absl::Time kPacerStart = absl::FromUnixSeconds(1'700'000'000);

TEST(StartPacerTest, NoMonitorsNoLimit) {
  StartPacer pacer;
  EXPECT_EQ(pacer.Allowance(0, kPacerStart), std::numeric_limits<size_t>::max());
  EXPECT_EQ(pacer.Ready(0), absl::InfinitePast());
}

TEST(StartPacerTest, ThePlannedRateNeverWaits) {
  // 10,000 checks/s, phase-spread: one start every 100 us.
  StartPacer pacer;
  const double rate = 10'000;
  for (int i = 0; i < 100'000; ++i) {
    const absl::Time now = kPacerStart + i * absl::Microseconds(100);
    ASSERT_GE(pacer.Allowance(rate, now), 1u) << i;
    pacer.Started(rate, now, 1);
  }
}

TEST(StartPacerTest, ABacklogDrainsAtTheCatchUpRateAfterOneBurst) {
  // 10,000 checks/s at twice that: one start per 50 us, bursts of 10 ms.
  StartPacer pacer(2.0, absl::Milliseconds(10), 32);
  const double rate = 10'000;
  size_t backlog = 10'000;  // a 1 s stall's worth, due at once
  const size_t burst = pacer.Allowance(rate, kPacerStart);
  EXPECT_EQ(burst, 201u);  // 10 ms / 50 us, plus the one due now
  absl::Time now = kPacerStart;
  size_t started_in_first_ms = 0;
  while (backlog > 0) {
    const size_t n = std::min(backlog, pacer.Allowance(rate, now));
    pacer.Started(rate, now, n);
    backlog -= n;
    if (now < kPacerStart + absl::Milliseconds(1)) started_in_first_ms += n;
    if (backlog > 0) {
      EXPECT_GT(pacer.Ready(rate), now);
      now = std::max(now + absl::Microseconds(1), pacer.Ready(rate));
    }
  }
  EXPECT_LE(started_in_first_ms, burst + 20);
  // 10,000 at 20,000/s, less the burst: about half a second.
  EXPECT_GT(now - kPacerStart, absl::Milliseconds(480));
  EXPECT_LT(now - kPacerStart, absl::Milliseconds(500));
}

TEST(StartPacerTest, SmallFleetsGetAMinimumBurst) {
  // One monitor a minute: a burst of 32, not of 10 ms worth (nothing).
  StartPacer pacer(2.0, absl::Milliseconds(10), 32);
  EXPECT_GE(pacer.Allowance(1.0 / 60, kPacerStart), 32u);
}

TEST(StartPacerTest, ZeroFactorDisablesIt) {
  StartPacer pacer(0);
  pacer.Started(10'000, kPacerStart, 1'000'000);
  EXPECT_EQ(pacer.Allowance(10'000, kPacerStart), std::numeric_limits<size_t>::max());
}

}  // namespace
}  // namespace uptime::agent
