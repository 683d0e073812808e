// The uptime arithmetic both ResultStore backends share.
#include "store/uptime_stats.h"

#include "gtest/gtest.h"
#include "store/result_store.h"

namespace uptime::store {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2024, 3, 10, 12, 30, 0), absl::UTCTimeZone());

Bucket B(absl::Time start, int64_t checks, int64_t failures, int64_t sum_us = 0) {
  return {start, checks, failures, sum_us, sum_us};
}

TEST(UptimeStatsTest, AggregatesResultsPerMonitorAndMinute) {
  v1::CheckResult ok, failed, other;
  ok.set_monitor_id("m");
  ok.set_start_time_us(absl::ToUnixMicros(kNow + absl::Seconds(10)));
  ok.set_success(true);
  ok.set_latency_us(500);
  failed = ok;
  failed.set_success(false);
  failed.set_latency_us(10'000'000);
  other = ok;
  other.set_start_time_us(absl::ToUnixMicros(kNow + absl::Seconds(70)));
  const MinuteBuckets buckets = AggregateMinutes({ok, failed, other});
  ASSERT_EQ(buckets.size(), 2u);
  const Bucket& first = buckets.begin()->second;
  EXPECT_EQ(first.start, kNow);
  EXPECT_EQ(first.checks, 2);
  EXPECT_EQ(first.failures, 1);
  EXPECT_EQ(first.latency_sum_us, 500);  // the failure's latency is not counted
  EXPECT_EQ(first.latency_max_us, 500);
}

TEST(UptimeStatsTest, RollUpRangeWaitsForGraceAndRevisitsLastHour) {
  const absl::Time noon = kNow - absl::Minutes(30);
  RollUpRange r = RollUpRangeFor(absl::UnixEpoch(), noon + absl::Minutes(1));
  EXPECT_EQ(r.to, noon - absl::Hours(1));  // 12:01 is inside the grace period
  EXPECT_EQ(r.new_watermark, noon - absl::Hours(1));
  r = RollUpRangeFor(noon, noon + absl::Minutes(5));
  EXPECT_EQ(r.from, noon - absl::Hours(1));
  EXPECT_EQ(r.to, noon);
  EXPECT_EQ(r.new_watermark, noon);
}

TEST(UptimeStatsTest, PercentileDiscMatchesPostgres) {
  std::vector<int64_t> values = {5, 1, 4, 2, 3};
  EXPECT_EQ(PercentileDisc(values, 0.95), 5);
  EXPECT_EQ(PercentileDisc(values, 0.5), 3);
  std::vector<int64_t> twenty(20);
  for (int i = 0; i < 20; ++i) twenty[i] = i + 1;
  EXPECT_EQ(PercentileDisc(twenty, 0.95), 19);
  std::vector<int64_t> none;
  EXPECT_EQ(PercentileDisc(none, 0.95), 0);
}

TEST(UptimeStatsTest, LongWindowsUseHoursBeforeWatermarkAndMinutesAfter) {
  const absl::Time watermark = kNow - absl::Hours(2) - absl::Minutes(30);  // 10:00
  UptimeInputs in;
  in.hours_before = watermark;
  in.hours = {B(watermark - absl::Hours(1), 60, 6, 54'000), B(watermark - absl::Hours(24 * 40), 10, 10)};
  // A minute before the watermark is already inside an hour: not counted twice.
  in.minutes = {B(watermark - absl::Minutes(10), 1, 0, 1000), B(watermark, 2, 1, 1000),
                B(kNow - absl::Minutes(1), 1, 0, 1000), B(kNow, 5, 5)};
  in.p95_24h_us = 2500;
  const v1::GetUptimeResponse out = ComputeUptime("m", kNow, in);
  ASSERT_EQ(out.windows_size(), 4);
  EXPECT_EQ(out.windows(0).window(), "24h");
  EXPECT_EQ(out.windows(0).checks(), 4);  // minutes only; kNow itself is excluded
  EXPECT_DOUBLE_EQ(out.windows(0).p95_latency_ms(), 2.5);
  EXPECT_EQ(out.windows(2).window(), "30d");
  EXPECT_EQ(out.windows(2).checks(), 63);
  EXPECT_EQ(out.windows(2).failures(), 7);
  EXPECT_DOUBLE_EQ(out.windows(2).mean_latency_ms(), 56.0 / 56);
  EXPECT_EQ(out.windows(3).checks(), 73);
  EXPECT_EQ(out.daily_bars_size(), 90);
  EXPECT_EQ(out.daily_bars(89).checks(), 63);
  EXPECT_EQ(out.daily_bars(49).checks(), 10);
  EXPECT_DOUBLE_EQ(out.daily_bars(49).uptime_percent(), 0);
}

TEST(UptimeStatsTest, SumPlanReadsWholeHoursBeforeTheWatermarkOnly) {
  const absl::Time from = kNow - absl::Hours(24);  // 12:30 the day before
  const absl::Duration hour = absl::Hours(1);
  // Rolled up to 12:00: hours from 13:00 the day before up to 12:00.
  SumPlan plan = PlanSum(from, kNow, kNow - absl::Minutes(30));
  EXPECT_EQ(plan.hours_from, from + absl::Minutes(30));
  EXPECT_EQ(plan.hours_to, kNow - absl::Minutes(30));
  // Never rolled up: no hours, minutes throughout.
  plan = PlanSum(from, kNow, absl::UnixEpoch());
  EXPECT_EQ(plan.hours_from, plan.hours_to);
  // A window starting on an hour takes that hour whole; one ending before
  // the watermark stops at its own last whole hour.
  plan = PlanSum(kNow - absl::Minutes(30) - 3 * hour, kNow - 2 * hour, kNow);
  EXPECT_EQ(plan.hours_from, kNow - absl::Minutes(30) - 3 * hour);
  EXPECT_EQ(plan.hours_to, kNow - absl::Minutes(30) - 2 * hour);
  // Inside one hour: an empty hour range after the window.
  plan = PlanSum(kNow - absl::Minutes(20), kNow - absl::Minutes(5), kNow);
  EXPECT_EQ(plan.hours_from, plan.hours_to);
  EXPECT_GE(plan.hours_from, kNow - absl::Minutes(5));
}

TEST(UptimeStatsTest, RetentionLimitsAreValidated) {
  EXPECT_TRUE(ValidateRetention(1, 7).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateRetention(0, 7)));
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateRetention(3, 6)));
}

}  // namespace
}  // namespace uptime::store
