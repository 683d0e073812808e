// The arithmetic behind ResultStore, shared by its implementations so both
// answer identically: minute aggregation of results, roll-up ranges,
// percentiles, and uptime windows plus daily bars from buckets.
//
// Pure functions; unit-tested in uptime_stats_test.cc.
#ifndef UPTIME_STORE_UPTIME_STATS_H_
#define UPTIME_STORE_UPTIME_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "uptime/v1/result.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::store {

// Aggregates over a minute or an hour. Latency covers successful checks.
struct Bucket {
  absl::Time start;
  int64_t checks = 0;
  int64_t failures = 0;
  int64_t latency_sum_us = 0;
  int64_t latency_max_us = 0;

  void Add(const Bucket& other);
};

// Floors `t` to a multiple of `unit` since the Unix epoch (UTC minutes,
// hours and days, which have no leap seconds in Unix time).
absl::Time Truncate(absl::Time t, absl::Duration unit);

// One bucket per (monitor id, minute), ordered by key: the order in which
// writers upsert, so concurrent writers lock rows in the same order.
using MinuteBuckets = std::map<std::pair<std::string, int64_t /*unix micros*/>, Bucket>;
MinuteBuckets AggregateMinutes(absl::Span<const v1::CheckResult> results);

// The hours to (re)compute from minute buckets at `now`, given the current
// watermark: [from, to), and the new watermark. Includes the hour before the
// old watermark so results that arrived late are counted.
struct RollUpRange {
  absl::Time from;
  absl::Time to;
  absl::Time new_watermark;
};
RollUpRange RollUpRangeFor(absl::Time watermark, absl::Time now);

// percentile_disc(p): the smallest value v such that at least p of the
// values are <= v, as PostgreSQL computes it. 0 for no values. Sorts `values`.
int64_t PercentileDisc(std::vector<int64_t>& values, double p);

struct UptimeInputs {
  // Minute buckets starting at or after min(now - 7d, hours_before).
  std::vector<Bucket> minutes;
  // Hour buckets starting before `hours_before`, within the last 90 days.
  std::vector<Bucket> hours;
  // The roll-up watermark: hours before it are complete in `hours`.
  absl::Time hours_before = absl::UnixEpoch();
  int64_t p95_24h_us = 0;
  int64_t p95_7d_us = 0;
};

// 100 * (checks - failures) / checks; 100 when there were no checks.
double UptimePercent(int64_t checks, int64_t failures);

// Which buckets SumUptime reads for [from, to) given the roll-up watermark:
// hour buckets starting in [hours_from, hours_to) (whole hours inside the
// window and before the watermark), and minute buckets in [from, hours_from)
// and [hours_to, to), both clipped to [from, to). hours_from <= hours_to; the
// hour range may be empty. `watermark` is on an hour (RollUpRangeFor).
struct SumPlan {
  absl::Time hours_from;
  absl::Time hours_to;
};
SumPlan PlanSum(absl::Time from, absl::Time to, absl::Time watermark);

// INVALID_ARGUMENT unless raw_days >= 1 and minute_days >= 7.
absl::Status ValidateRetention(int raw_days, int minute_days);

// Windows "24h", "7d", "30d", "90d" and 90 daily bars (see result_store.h).
v1::GetUptimeResponse ComputeUptime(const std::string& monitor_id, absl::Time now,
                                    const UptimeInputs& inputs);

}  // namespace uptime::store

#endif  // UPTIME_STORE_UPTIME_STATS_H_
