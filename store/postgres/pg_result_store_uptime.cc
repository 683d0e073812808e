// PgResultStore's uptime reads: one monitor's windows (GetUptime), many
// monitors' in batches of queries (GetUptimes), and fleet totals over a
// window (SumUptime). The write path, roll-up and retention are in
// pg_result_store.cc.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status_macros.h"
#include "store/postgres/pg_result_store.h"
#include "store/postgres/pg_text.h"
#include "store/uptime_stats.h"

namespace uptime::store {
namespace {

constexpr absl::Duration kUptimeDay = absl::Hours(24);

std::vector<Bucket> ToBuckets(const PgResult& rows, absl::string_view kind, int* watermark_row) {
  std::vector<Bucket> out;
  for (int i = 0; i < rows.rows(); ++i) {
    if (rows.Text(i, 0) == "w") *watermark_row = i;
    if (rows.Text(i, 0) != kind) continue;
    out.push_back({rows.MicrosTime(i, 1), rows.Int(i, 2), rows.Int(i, 3), rows.Int(i, 4),
                   rows.Int(i, 5)});
  }
  return out;
}

// Monitors per GetUptimes query pair: keeps PostgreSQL's grouping of their
// buckets (~100 groups each) inside the default work_mem rather than
// spilling to disk, and each query under the JIT threshold.
constexpr size_t kUptimesPerQuery = 100;

// GetUptime's inputs for `ids`, into `inputs` (one entry per id, even
// without data), with the watermark the buckets were read against.
absl::Status ReadUptimeInputs(PgConn& conn, absl::Span<const std::string> ids, absl::Time now,
                              std::map<std::string, UptimeInputs, std::less<>>* inputs) {
  const std::string array = TextArrayLiteral(ids);
  // GetUptime's buckets for every monitor, grouped by what ComputeUptime can
  // tell apart (see result_store.h): kind, monitor, UTC day, and the
  // segment between the cuts inside the day (the window starts, now and the
  // watermark). Every cut test is monotonic in time, so the number of cuts
  // passed names the segment: a small key, cheap to hash. A group is dated
  // by its earliest bucket, which lies on the same side of every cut. About
  // one row per monitor and day, plus a few at the cuts.
  ASSIGN_OR_RETURN(PgResult buckets, conn.Exec(R"sql(
      WITH w AS (SELECT hours_before FROM uptime_rollup),
      b AS (
        SELECT 'h' AS kind, monitor_id, hour AS t, checks, failures, latency_sum_us,
               latency_max_us
          FROM uptime_hour, w
          WHERE monitor_id = ANY($1::text[]) AND hour >= $2 AND hour < w.hours_before
        UNION ALL
        SELECT 'm', monitor_id, minute, checks, failures, latency_sum_us, latency_max_us
          FROM uptime_minute, w
          WHERE monitor_id = ANY($1::text[]) AND minute >= $2 AND minute < $4
            AND minute >= LEAST($3::timestamptz, w.hours_before))
      SELECT b.kind, b.monitor_id, uptime_us(min(b.t)), sum(b.checks)::bigint,
             sum(b.failures)::bigint, sum(b.latency_sum_us)::bigint, max(b.latency_max_us)::bigint
        FROM b, w
        GROUP BY b.kind, b.monitor_id, date_bin('1 day', b.t, TIMESTAMPTZ 'epoch'),
                 (b.t >= $5::timestamptz)::int + (b.t >= $3::timestamptz)::int +
                   (b.t >= $6::timestamptz)::int + (b.t >= $4::timestamptz)::int +
                   (b.t >= w.hours_before)::int
      UNION ALL
      SELECT 'w', '', uptime_us(hours_before), 0, 0, 0, 0 FROM w)sql",
      {PgParam::Text(array), PgParam::Time(now - 90 * kUptimeDay), PgParam::Time(now - 7 * kUptimeDay),
       PgParam::Time(now), PgParam::Time(now - absl::Hours(24)), PgParam::Time(now - 30 * kUptimeDay)}));
  ASSIGN_OR_RETURN(PgResult p95, conn.Exec(R"sql(
      SELECT monitor_id,
             coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us)
                        FILTER (WHERE start_time >= $2), 0),
             coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us), 0)
      FROM results
      WHERE monitor_id = ANY($1::text[]) AND success AND start_time >= $3 AND start_time < $4
      GROUP BY monitor_id)sql",
      {PgParam::Text(array), PgParam::Time(now - absl::Hours(24)), PgParam::Time(now - 7 * kUptimeDay),
       PgParam::Time(now)}));

  for (const std::string& id : ids) (*inputs)[id];
  int watermark_row = -1;
  for (int i = 0; i < buckets.rows(); ++i) {
    const absl::string_view kind = buckets.Text(i, 0);
    if (kind == "w") {
      watermark_row = i;
      continue;
    }
    auto it = inputs->find(buckets.Text(i, 1));
    if (it == inputs->end()) continue;
    const Bucket b{buckets.MicrosTime(i, 2), buckets.Int(i, 3), buckets.Int(i, 4),
                   buckets.Int(i, 5), buckets.Int(i, 6)};
    (kind == "h" ? it->second.hours : it->second.minutes).push_back(b);
  }
  if (watermark_row < 0) return absl::InternalError("uptime_rollup has no row: schema not migrated");
  for (const std::string& id : ids) {
    (*inputs)[id].hours_before = buckets.MicrosTime(watermark_row, 2);
  }
  for (int i = 0; i < p95.rows(); ++i) {
    auto it = inputs->find(p95.Text(i, 0));
    if (it == inputs->end()) continue;
    it->second.p95_24h_us = p95.Int(i, 1);
    it->second.p95_7d_us = p95.Int(i, 2);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::GetUptimeResponse> PgResultStore::GetUptime(const std::string& monitor_id,
                                                               absl::Time now) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  // Hours before the watermark, minutes from min(now - 7d, watermark) on,
  // and the watermark itself, in one round trip.
  ASSIGN_OR_RETURN(PgResult buckets, lease->Exec(R"sql(
      WITH w AS (SELECT hours_before FROM uptime_rollup)
      SELECT 'h', uptime_us(hour), checks, failures, latency_sum_us, latency_max_us
        FROM uptime_hour, w
        WHERE monitor_id = $1 AND hour >= $2 AND hour < w.hours_before
      UNION ALL
      SELECT 'm', uptime_us(minute), checks, failures, latency_sum_us, latency_max_us
        FROM uptime_minute, w
        WHERE monitor_id = $1 AND minute >= $2 AND minute < $4
          AND minute >= LEAST($3::timestamptz, w.hours_before)
      UNION ALL
      SELECT 'w', uptime_us(hours_before), 0, 0, 0, 0 FROM w)sql",
      {PgParam::Text(monitor_id), PgParam::Time(now - 90 * kUptimeDay),
       PgParam::Time(now - 7 * kUptimeDay), PgParam::Time(now)}));
  ASSIGN_OR_RETURN(PgResult p95, lease->Exec(R"sql(
      SELECT coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us)
                        FILTER (WHERE start_time >= $2), 0),
             coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us), 0)
      FROM results
      WHERE monitor_id = $1 AND success AND start_time >= $3 AND start_time < $4)sql",
      {PgParam::Text(monitor_id), PgParam::Time(now - absl::Hours(24)),
       PgParam::Time(now - 7 * kUptimeDay), PgParam::Time(now)}));

  UptimeInputs in;
  int watermark_row = -1;
  in.hours = ToBuckets(buckets, "h", &watermark_row);
  in.minutes = ToBuckets(buckets, "m", &watermark_row);
  if (watermark_row < 0) return absl::InternalError("uptime_rollup has no row: schema not migrated");
  in.hours_before = buckets.MicrosTime(watermark_row, 1);
  in.p95_24h_us = p95.Int(0, 0);
  in.p95_7d_us = p95.Int(0, 1);
  return ComputeUptime(monitor_id, now, in);
}

absl::StatusOr<std::vector<v1::GetUptimeResponse>> PgResultStore::GetUptimes(
    absl::Span<const std::string> monitor_ids, absl::Time now) {
  std::vector<v1::GetUptimeResponse> out;
  if (monitor_ids.empty()) return out;
  const std::set<std::string> unique(monitor_ids.begin(), monitor_ids.end());
  const std::vector<std::string> ids(unique.begin(), unique.end());
  std::map<std::string, UptimeInputs, std::less<>> inputs;
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  for (size_t from = 0; from < ids.size(); from += kUptimesPerQuery) {
    RETURN_IF_ERROR(ReadUptimeInputs(
        *lease, absl::MakeConstSpan(ids).subspan(from, kUptimesPerQuery), now, &inputs));
  }
  out.reserve(monitor_ids.size());
  for (const std::string& id : monitor_ids) out.push_back(ComputeUptime(id, now, inputs.at(id)));
  return out;
}

absl::StatusOr<std::vector<UptimeTotals>> PgResultStore::SumUptime(absl::Time from,
                                                                   absl::Time to) {
  if (from > to) return absl::InvalidArgumentError("uptime sum: window ends before it starts");
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  // The watermark first: a roll-up that moves it meanwhile leaves both the
  // hours before the old one and the minutes after it in place.
  ASSIGN_OR_RETURN(PgResult w, lease->Exec("SELECT uptime_us(hours_before) FROM uptime_rollup"));
  if (w.rows() != 1) return absl::InternalError("uptime_rollup has no row: schema not migrated");
  const SumPlan plan = PlanSum(from, to, w.MicrosTime(0, 0));
  // Time ranges only, so both tables are read through their BRIN indexes.
  ASSIGN_OR_RETURN(PgResult rows, lease->Exec(R"sql(
      SELECT monitor_id, sum(checks)::bigint, sum(failures)::bigint, sum(latency_sum_us)::bigint
      FROM (SELECT monitor_id, checks, failures, latency_sum_us FROM uptime_hour
              WHERE hour >= $3::timestamptz AND hour < $4::timestamptz
            UNION ALL
            SELECT monitor_id, checks, failures, latency_sum_us FROM uptime_minute
              WHERE (minute >= $1::timestamptz AND minute < LEAST($3::timestamptz, $2::timestamptz))
                 OR (minute >= GREATEST($4::timestamptz, $1::timestamptz)
                     AND minute < $2::timestamptz)) b
      GROUP BY monitor_id ORDER BY monitor_id)sql",
      {PgParam::Time(from), PgParam::Time(to), PgParam::Time(plan.hours_from),
       PgParam::Time(plan.hours_to)}));
  std::vector<UptimeTotals> out(rows.rows());
  for (int i = 0; i < rows.rows(); ++i) {
    out[i].monitor_id = std::string(rows.Text(i, 0));
    out[i].checks = rows.Int(i, 1);
    out[i].failures = rows.Int(i, 2);
    out[i].latency_sum_us = rows.Int(i, 3);
  }
  return out;
}

}  // namespace uptime::store
