// UptimeCache over the in-memory result store, driven by a SimulatedClock:
// the summary appears after the first pass, follows new results once the
// refresh interval has passed, and survives a store outage.
#include "coordinator/persistence/uptime_cache.h"

#include "gtest/gtest.h"
#include "store/memory/memory_result_store.h"
#include "store/testing/check_result.h"
#include "store/testing/faulty_stores.h"
#include "tests/support/eventually.h"

namespace uptime::coordinator {
namespace {

using store::TestResult;

class UptimeCacheTest : public ::testing::Test {
 protected:
  void Write(const std::vector<v1::CheckResult>& results) {
    ASSERT_TRUE(memory_.WriteBatch(results, {}).ok());
  }

  // Advances the clock by `d` and waits for the pass that makes due. The
  // runner counts a pass before it sets the timer for the next one: wait for
  // that timer, or the advance could come first and never fire it.
  void AdvanceAndWaitForPass(absl::Duration d) {
    ASSERT_EVENTUALLY(clock_.PendingTimers() == 1, absl::Seconds(10));
    const uint64_t before = cache_.runner().passes();
    clock_.Advance(d);
    ASSERT_TRUE(cache_.runner().WaitForPass(before, absl::Seconds(10)));
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1'700'000'000)};
  store::MemoryResultStore memory_;
  store::StoreFaults faults_;
  store::FaultyResultStore results_{&memory_, &faults_};
  UptimeCache cache_{&clock_, &results_,
                     {.refresh_interval = absl::Minutes(1), .retry_interval = absl::Seconds(5)}};
};

TEST_F(UptimeCacheTest, SummarisesEveryMonitorAndRefreshesOnTheClock) {
  const absl::Time now = clock_.Now();
  Write({TestResult("a", now - absl::Hours(2), true, 100),
         TestResult("a", now - absl::Hours(1), false, 0),
         TestResult("b", now - absl::Minutes(5), true, 40),
         TestResult("old", now - absl::Hours(25), false, 0)});
  EXPECT_EQ(cache_.Current(), nullptr);
  cache_.Start();
  ASSERT_TRUE(cache_.runner().WaitForPass(0, absl::Seconds(10)));

  std::shared_ptr<const UptimeSummary> first = cache_.Current();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->computed_at, now);
  ASSERT_NE(first->Find("a"), nullptr);
  EXPECT_EQ(first->Find("a")->checks, 2);
  EXPECT_EQ(first->Find("a")->failures, 1);
  EXPECT_EQ(first->Find("a")->latency_sum_us, 100'000);
  ASSERT_NE(first->Find("b"), nullptr);
  EXPECT_EQ(first->Find("b")->checks, 1);
  EXPECT_EQ(first->Find("old"), nullptr);  // outside the 24 hours

  // New results count only from the next pass, a refresh interval later.
  Write({TestResult("c", now, true, 10)});
  ASSERT_EVENTUALLY(clock_.PendingTimers() == 1, absl::Seconds(10));
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(cache_.Current()->Find("c"), nullptr);
  AdvanceAndWaitForPass(absl::Seconds(30));
  std::shared_ptr<const UptimeSummary> second = cache_.Current();
  EXPECT_EQ(second->computed_at, now + absl::Minutes(1));
  ASSERT_NE(second->Find("c"), nullptr);
  EXPECT_EQ(second->Find("c")->checks, 1);
  // The first summary is unchanged for whoever still holds it.
  EXPECT_EQ(first->Find("c"), nullptr);
  cache_.Stop();
}

TEST_F(UptimeCacheTest, AFailedPassKeepsThePreviousSummaryAndRetriesSooner) {
  const absl::Time now = clock_.Now();
  Write({TestResult("a", now - absl::Minutes(10), true, 100)});
  cache_.Start();
  ASSERT_TRUE(cache_.runner().WaitForPass(0, absl::Seconds(10)));
  ASSERT_NE(cache_.Current(), nullptr);

  faults_.set_down(true);
  Write({TestResult("a", now, false, 0)});
  AdvanceAndWaitForPass(absl::Minutes(1));
  ASSERT_NE(cache_.Current(), nullptr);
  EXPECT_EQ(cache_.Current()->computed_at, now);  // the old one, still served
  EXPECT_EQ(cache_.Current()->Find("a")->checks, 1);

  // Back up: the retry comes after retry_interval, not a whole minute.
  faults_.set_down(false);
  AdvanceAndWaitForPass(absl::Seconds(5));
  EXPECT_EQ(cache_.Current()->computed_at, now + absl::Minutes(1) + absl::Seconds(5));
  EXPECT_EQ(cache_.Current()->Find("a")->checks, 2);
  EXPECT_EQ(cache_.Current()->Find("a")->failures, 1);
  cache_.Stop();
}

}  // namespace
}  // namespace uptime::coordinator
