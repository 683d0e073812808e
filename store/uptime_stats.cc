#include "store/uptime_stats.h"

#include <algorithm>
#include <cmath>

#include "common/proto_time.h"
#include "store/result_store.h"

namespace uptime::store {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr int kDailyBars = 90;

v1::UptimeWindow MakeWindow(const char* name, const Bucket& total, int64_t p95_us) {
  v1::UptimeWindow w;
  w.set_window(name);
  w.set_checks(total.checks);
  w.set_failures(total.failures);
  w.set_uptime_percent(UptimePercent(total.checks, total.failures));
  const int64_t successes = total.checks - total.failures;
  w.set_mean_latency_ms(successes > 0 ? total.latency_sum_us / 1000.0 / successes : 0.0);
  w.set_p95_latency_ms(p95_us / 1000.0);
  return w;
}

}  // namespace

double UptimePercent(int64_t checks, int64_t failures) {
  return checks == 0 ? 100.0 : 100.0 * static_cast<double>(checks - failures) / checks;
}

void Bucket::Add(const Bucket& other) {
  checks += other.checks;
  failures += other.failures;
  latency_sum_us += other.latency_sum_us;
  latency_max_us = std::max(latency_max_us, other.latency_max_us);
}

absl::Time Truncate(absl::Time t, absl::Duration unit) {
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  return absl::UnixEpoch() + absl::Floor(since_epoch, unit);
}

MinuteBuckets AggregateMinutes(absl::Span<const v1::CheckResult> results) {
  MinuteBuckets buckets;
  for (const v1::CheckResult& r : results) {
    const absl::Time minute =
        Truncate(absl::FromUnixMicros(r.start_time_us()), absl::Minutes(1));
    Bucket& b = buckets[{r.monitor_id(), absl::ToUnixMicros(minute)}];
    b.start = minute;
    ++b.checks;
    if (r.success()) {
      b.latency_sum_us += r.latency_us();
      b.latency_max_us = std::max(b.latency_max_us, r.latency_us());
    } else {
      ++b.failures;
    }
  }
  return buckets;
}

RollUpRange RollUpRangeFor(absl::Time watermark, absl::Time now) {
  RollUpRange range;
  range.to = Truncate(now - kRollUpGrace, absl::Hours(1));
  range.from = std::min(watermark - absl::Hours(1), range.to);
  range.new_watermark = std::max(watermark, range.to);
  return range;
}

SumPlan PlanSum(absl::Time from, absl::Time to, absl::Time watermark) {
  SumPlan plan;
  // The first whole hour: `from` rounded up.
  plan.hours_from = Truncate(from, absl::Hours(1));
  if (plan.hours_from < from) plan.hours_from += absl::Hours(1);
  // Hour buckets exist only before the watermark, and must end by `to`.
  plan.hours_to = std::max(plan.hours_from, std::min(watermark, Truncate(to, absl::Hours(1))));
  return plan;
}

int64_t PercentileDisc(std::vector<int64_t>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

absl::Status ValidateRetention(int raw_days, int minute_days) {
  if (raw_days < 1) return absl::InvalidArgumentError("raw retention must be at least 1 day");
  if (minute_days < 7) {
    return absl::InvalidArgumentError("minute bucket retention must be at least 7 days");
  }
  return absl::OkStatus();
}

v1::GetUptimeResponse ComputeUptime(const std::string& monitor_id, absl::Time now,
                                    const UptimeInputs& in) {
  struct Span {
    const char* name;
    absl::Duration length;
  };
  const Span kShort[] = {{"24h", absl::Hours(24)}, {"7d", 7 * kDay}};
  const Span kLong[] = {{"30d", 30 * kDay}, {"90d", 90 * kDay}};

  v1::GetUptimeResponse out;
  out.set_monitor_id(monitor_id);
  for (const Span& s : kShort) {
    Bucket total;
    for (const Bucket& m : in.minutes) {
      if (m.start >= now - s.length && m.start < now) total.Add(m);
    }
    *out.add_windows() =
        MakeWindow(s.name, total, s.length == absl::Hours(24) ? in.p95_24h_us : in.p95_7d_us);
  }

  // Long windows and bars: hours before the watermark, minutes after it, so
  // no check is counted twice.
  std::vector<const Bucket*> merged;
  for (const Bucket& h : in.hours) {
    if (h.start < in.hours_before) merged.push_back(&h);
  }
  for (const Bucket& m : in.minutes) {
    if (m.start >= in.hours_before) merged.push_back(&m);
  }
  for (const Span& s : kLong) {
    Bucket total;
    for (const Bucket* b : merged) {
      if (b->start >= now - s.length && b->start < now) total.Add(*b);
    }
    *out.add_windows() = MakeWindow(s.name, total, 0);
  }

  const absl::Time first_day = Truncate(now, kDay) - (kDailyBars - 1) * kDay;
  std::vector<Bucket> days(kDailyBars);
  for (const Bucket* b : merged) {
    if (b->start < first_day || b->start >= now) continue;
    absl::Duration remainder;
    const int64_t index = absl::IDivDuration(b->start - first_day, kDay, &remainder);
    if (index < kDailyBars) days[index].Add(*b);
  }
  for (int i = 0; i < kDailyBars; ++i) {
    v1::DailyBar* bar = out.add_daily_bars();
    ToProto(first_day + i * kDay, bar->mutable_day());
    bar->set_checks(days[i].checks);
    bar->set_failures(days[i].failures);
    bar->set_uptime_percent(UptimePercent(days[i].checks, days[i].failures));
  }
  return out;
}

}  // namespace uptime::store
