#include "store/postgres/pg_result_store.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/postgres/migrations.h"
#include "store/paging.h"
#include "store/postgres/pg_text.h"
#include "store/uptime_stats.h"

namespace uptime::store {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;
constexpr absl::Duration kDay = absl::Hours(24);

int64_t DayOf(int64_t micros) {
  return micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
}

constexpr char kCopyResults[] =
    "COPY results (monitor_id, agent_id, location, epoch, start_time, scheduled_time, success, "
    "latency_us, dns_us, connect_us, tls_us, first_byte_us, http_status, error_kind, "
    "error_message, tls_cert_expiry) FROM STDIN";

std::string EncodeCopy(absl::Span<const v1::CheckResult> results) {
  std::string data;
  data.reserve(results.size() * 200);
  for (const v1::CheckResult& r : results) {
    AppendCopyField(data, r.monitor_id());
    AppendCopyField(data, r.agent_id());
    AppendCopyField(data, r.location());
    AppendCopyInt(data, r.epoch());
    AppendCopyTime(data, absl::FromUnixMicros(r.start_time_us()));
    if (r.scheduled_time_us() != 0) {
      AppendCopyTime(data, absl::FromUnixMicros(r.scheduled_time_us()));
    } else {
      AppendCopyNull(data);
    }
    AppendCopyBool(data, r.success());
    AppendCopyInt(data, r.latency_us());
    AppendCopyInt(data, r.dns_us());
    AppendCopyInt(data, r.connect_us());
    AppendCopyInt(data, r.tls_us());
    AppendCopyInt(data, r.first_byte_us());
    AppendCopyInt(data, r.http_status());
    AppendCopyInt(data, r.error_kind());
    AppendCopyField(data, r.error_message());
    if (r.tls_cert_expiry_unix() != 0) {
      AppendCopyInt(data, r.tls_cert_expiry_unix());
    } else {
      AppendCopyNull(data);
    }
    EndCopyRow(data);
  }
  return data;
}

// One monitor-minute of a batch, keyed by a view into the batch's results.
struct MinuteRow {
  absl::string_view monitor_id;
  int64_t minute_us = 0;
  int64_t checks = 0;
  int64_t failures = 0;
  int64_t latency_sum_us = 0;
  int64_t latency_max_us = 0;
};

int64_t MinuteOf(int64_t micros) {
  constexpr int64_t kMicrosPerMinute = 60'000'000;
  const int64_t floor = micros >= 0 ? micros / kMicrosPerMinute
                                    : -((-micros + kMicrosPerMinute - 1) / kMicrosPerMinute);
  return floor * kMicrosPerMinute;
}

// The batch's minute buckets, one row per monitor and minute (an upsert may
// not touch a row twice), sorted by key so concurrent writers lock rows in
// the same order and cannot deadlock. Sorting flat rows beats a std::map
// keyed by copied strings: this runs for every result.
std::vector<MinuteRow> AggregateBatchMinutes(absl::Span<const v1::CheckResult> results) {
  std::vector<MinuteRow> rows;
  rows.reserve(results.size());
  for (const v1::CheckResult& r : results) {
    const int64_t latency = r.success() ? r.latency_us() : 0;
    rows.push_back({r.monitor_id(), MinuteOf(r.start_time_us()), 1, r.success() ? 0 : 1, latency,
                    latency});
  }
  std::sort(rows.begin(), rows.end(), [](const MinuteRow& a, const MinuteRow& b) {
    return a.monitor_id != b.monitor_id ? a.monitor_id < b.monitor_id : a.minute_us < b.minute_us;
  });
  size_t out = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (out > 0 && rows[out - 1].monitor_id == rows[i].monitor_id &&
        rows[out - 1].minute_us == rows[i].minute_us) {
      MinuteRow& b = rows[out - 1];
      b.checks += rows[i].checks;
      b.failures += rows[i].failures;
      b.latency_sum_us += rows[i].latency_sum_us;
      b.latency_max_us = std::max(b.latency_max_us, rows[i].latency_max_us);
    } else {
      rows[out++] = rows[i];
    }
  }
  rows.resize(out);
  return rows;
}

// Minutes travel as Unix microseconds (bigint[]): parsing 10,000 timestamptz
// literals costs the server more than the conversion.
constexpr char kUpsertMinutes[] = R"sql(
INSERT INTO uptime_minute AS u (monitor_id, minute, checks, failures, latency_sum_us, latency_max_us)
SELECT m, to_timestamp(t::float8 / 1e6), c, f, s, x
FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::bigint[], $6::bigint[])
  AS v(m, t, c, f, s, x)
ON CONFLICT (monitor_id, minute) DO UPDATE SET
  checks = u.checks + EXCLUDED.checks,
  failures = u.failures + EXCLUDED.failures,
  latency_sum_us = u.latency_sum_us + EXCLUDED.latency_sum_us,
  latency_max_us = GREATEST(u.latency_max_us, EXCLUDED.latency_max_us))sql";

// Array literals built in place (the pg_text.h helpers take owned strings;
// here that would be a copy per row).
class ArrayLiteral {
 public:
  void AddText(absl::string_view s) {
    Separator();
    // Monitor ids are validated ASCII; anything else is sanitized like
    // every other text we store.
    std::string sanitized;
    if (!std::all_of(s.begin(), s.end(), [](char c) { return c > 0; })) {
      sanitized = SanitizeUtf8(s);
      s = sanitized;
    }
    out_.push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out_.push_back('\\');
      out_.push_back(c);
    }
    out_.push_back('"');
  }
  void AddInt(int64_t v) {
    Separator();
    absl::StrAppend(&out_, v);
  }
  std::string Finish() && {
    out_.push_back('}');
    return std::move(out_);
  }

 private:
  void Separator() {
    if (out_.size() > 1) out_.push_back(',');
  }
  std::string out_ = "{";
};

absl::Status UpsertMinutes(PgConn& conn, absl::Span<const MinuteRow> rows) {
  if (rows.empty()) return absl::OkStatus();
  ArrayLiteral ids, minutes, checks, failures, sums, maxes;
  for (const MinuteRow& b : rows) {
    ids.AddText(b.monitor_id);
    minutes.AddInt(b.minute_us);
    checks.AddInt(b.checks);
    failures.AddInt(b.failures);
    sums.AddInt(b.latency_sum_us);
    maxes.AddInt(b.latency_max_us);
  }
  return conn
      .Exec(kUpsertMinutes,
            {PgParam::Text(std::move(ids).Finish()), PgParam::Text(std::move(minutes).Finish()),
             PgParam::Text(std::move(checks).Finish()), PgParam::Text(std::move(failures).Finish()),
             PgParam::Text(std::move(sums).Finish()), PgParam::Text(std::move(maxes).Finish())})
      .status();
}

// A later incarnation replaces the row; the same one only moves forward.
constexpr char kUpsertAcks[] = R"sql(
INSERT INTO agent_batches AS a (agent_id, incarnation, last_sequence)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
ON CONFLICT (agent_id) DO UPDATE SET
  last_sequence = CASE WHEN a.incarnation = EXCLUDED.incarnation
                       THEN GREATEST(a.last_sequence, EXCLUDED.last_sequence)
                       ELSE EXCLUDED.last_sequence END,
  incarnation = EXCLUDED.incarnation,
  update_time = now())sql";

absl::Status UpsertAcks(PgConn& conn, absl::Span<const AgentSequence> acks) {
  if (acks.empty()) return absl::OkStatus();
  // One row per agent: an upsert may not touch the same row twice.
  std::map<std::string, AgentSequence> merged;
  for (const AgentSequence& ack : acks) {
    auto [it, inserted] = merged.try_emplace(ack.agent_id, ack);
    if (!inserted && it->second.incarnation == ack.incarnation) {
      it->second.last_sequence = std::max(it->second.last_sequence, ack.last_sequence);
    } else if (!inserted) {
      it->second = ack;
    }
  }
  std::vector<std::string> agents, incarnations;
  std::vector<int64_t> sequences;
  for (const auto& [agent, ack] : merged) {
    agents.push_back(agent);
    incarnations.push_back(ack.incarnation);
    sequences.push_back(static_cast<int64_t>(ack.last_sequence));
  }
  return conn
      .Exec(kUpsertAcks, {PgParam::Text(TextArrayLiteral(agents)),
                          PgParam::Text(TextArrayLiteral(incarnations)),
                          PgParam::Text(IntArrayLiteral(sequences))})
      .status();
}

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

}  // namespace

absl::Status PgResultStore::EnsureDays(PgConn& conn, const std::set<int64_t>& days) {
  for (int64_t day : days) {
    {
      absl::MutexLock lock(&mu_);
      if (known_days_.contains(day)) continue;
    }
    RETURN_IF_ERROR(EnsurePartition(conn, absl::FromUnixMicros(day * kMicrosPerDay)));
    absl::MutexLock lock(&mu_);
    known_days_.insert(day);
  }
  return absl::OkStatus();
}

void PgResultStore::ForgetDays() {
  absl::MutexLock lock(&mu_);
  known_days_.clear();
}

absl::Status PgResultStore::WriteBatch(absl::Span<const v1::CheckResult> results,
                                       absl::Span<const AgentSequence> acks) {
  if (results.empty() && acks.empty()) return absl::OkStatus();
  std::set<int64_t> days;
  for (const v1::CheckResult& r : results) days.insert(DayOf(r.start_time_us()));
  const std::string copy = EncodeCopy(results);
  const std::vector<MinuteRow> minutes = AggregateBatchMinutes(results);

  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  RETURN_IF_ERROR(EnsureDays(*lease, days));
  auto write = [&](PgConn& tx) -> absl::Status {
    if (!copy.empty()) RETURN_IF_ERROR(tx.CopyIn(kCopyResults, copy));
    RETURN_IF_ERROR(UpsertMinutes(tx, minutes));
    return UpsertAcks(tx, acks);
  };
  absl::Status status = InTransaction(*lease, write);
  // "No partition for row" (23514): a partition we remembered was dropped
  // (retention elsewhere, an operator). Re-create and retry once.
  if (PgSqlState(status) == "23514") {
    ForgetDays();
    RETURN_IF_ERROR(EnsureDays(*lease, days));
    status = InTransaction(*lease, write);
  }
  return status;
}

absl::Status PgResultStore::SaveAgentSequence(const AgentSequence& ack) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return UpsertAcks(*lease, {&ack, 1});
}

absl::StatusOr<std::vector<AgentSequence>> PgResultStore::LoadAgentSequences() {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows,
                   lease->Exec("SELECT agent_id, incarnation, last_sequence FROM agent_batches "
                               "ORDER BY agent_id"));
  std::vector<AgentSequence> out;
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({std::string(rows.Text(i, 0)), std::string(rows.Text(i, 1)),
                   static_cast<uint64_t>(rows.Int(i, 2))});
  }
  return out;
}

absl::StatusOr<ResultPage> PgResultStore::ListResults(const ResultQuery& query) {
  ASSIGN_OR_RETURN(PageCursor cursor, DecodePageToken(query.page_token));
  const int page_size = EffectivePageSize(query.page_size);
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows, lease->Exec(R"sql(
      SELECT agent_id, location, epoch, uptime_us(start_time),
             coalesce(uptime_us(scheduled_time), 0), success, latency_us, dns_us, connect_us,
             tls_us, first_byte_us, http_status, error_kind, error_message,
             coalesce(tls_cert_expiry, 0)
      FROM results
      WHERE monitor_id = $1 AND start_time >= $2 AND start_time < $3
        AND (NOT $4::boolean OR NOT success)
        AND (start_time, agent_id COLLATE "C") < ($5::timestamptz, $6::text COLLATE "C")
      ORDER BY start_time DESC, agent_id COLLATE "C" DESC
      LIMIT $7)sql",
      {PgParam::Text(query.monitor_id), PgParam::Time(query.start), PgParam::Time(query.end),
       PgParam::Bool(query.failures_only), PgParam::Time(cursor.time),
       PgParam::Text(cursor.key), PgParam::Int(page_size + 1)}));
  ResultPage page;
  const int n = std::min(rows.rows(), page_size);
  for (int i = 0; i < n; ++i) {
    v1::CheckResult& r = *page.results.emplace(page.results.end());
    r.set_monitor_id(query.monitor_id);
    r.set_agent_id(std::string(rows.Text(i, 0)));
    r.set_location(std::string(rows.Text(i, 1)));
    r.set_epoch(rows.Int(i, 2));
    r.set_start_time_us(rows.Int(i, 3));
    r.set_scheduled_time_us(rows.Int(i, 4));
    r.set_success(rows.Bool(i, 5));
    r.set_latency_us(rows.Int(i, 6));
    r.set_dns_us(rows.Int(i, 7));
    r.set_connect_us(rows.Int(i, 8));
    r.set_tls_us(rows.Int(i, 9));
    r.set_first_byte_us(rows.Int(i, 10));
    r.set_http_status(static_cast<int32_t>(rows.Int(i, 11)));
    r.set_error_kind(static_cast<v1::ErrorKind>(rows.Int(i, 12)));
    r.set_error_message(std::string(rows.Text(i, 13)));
    r.set_tls_cert_expiry_unix(rows.Int(i, 14));
  }
  if (rows.rows() > page_size) {
    const v1::CheckResult& last = page.results.back();
    page.next_page_token =
        EncodePageToken({absl::FromUnixMicros(last.start_time_us()), last.agent_id()});
  }
  return page;
}

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
      {PgParam::Text(monitor_id), PgParam::Time(now - 90 * kDay),
       PgParam::Time(now - 7 * kDay), PgParam::Time(now)}));
  ASSIGN_OR_RETURN(PgResult p95, lease->Exec(R"sql(
      SELECT coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us)
                        FILTER (WHERE start_time >= $2), 0),
             coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us), 0)
      FROM results
      WHERE monitor_id = $1 AND success AND start_time >= $3 AND start_time < $4)sql",
      {PgParam::Text(monitor_id), PgParam::Time(now - absl::Hours(24)),
       PgParam::Time(now - 7 * kDay), PgParam::Time(now)}));

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

namespace {

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
      {PgParam::Text(array), PgParam::Time(now - 90 * kDay), PgParam::Time(now - 7 * kDay),
       PgParam::Time(now), PgParam::Time(now - absl::Hours(24)), PgParam::Time(now - 30 * kDay)}));
  ASSIGN_OR_RETURN(PgResult p95, conn.Exec(R"sql(
      SELECT monitor_id,
             coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us)
                        FILTER (WHERE start_time >= $2), 0),
             coalesce(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_us), 0)
      FROM results
      WHERE monitor_id = ANY($1::text[]) AND success AND start_time >= $3 AND start_time < $4
      GROUP BY monitor_id)sql",
      {PgParam::Text(array), PgParam::Time(now - absl::Hours(24)), PgParam::Time(now - 7 * kDay),
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

absl::Status PgResultStore::RollUpHours(absl::Time now) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    // FOR UPDATE: two roll-ups at once would race on the watermark.
    ASSIGN_OR_RETURN(PgResult w,
                     tx.Exec("SELECT uptime_us(hours_before) FROM uptime_rollup FOR UPDATE"));
    if (w.rows() != 1) return absl::InternalError("uptime_rollup has no row: schema not migrated");
    const RollUpRange range = RollUpRangeFor(w.MicrosTime(0, 0), now);
    if (range.from < range.to) {
      // Replace rather than add, so recomputing an hour is harmless.
      RETURN_IF_ERROR(tx.Exec(R"sql(
          INSERT INTO uptime_hour AS h (monitor_id, hour, checks, failures, latency_sum_us,
                                        latency_max_us)
          SELECT monitor_id, date_trunc('hour', minute), sum(checks), sum(failures),
                 sum(latency_sum_us), max(latency_max_us)
          FROM uptime_minute WHERE minute >= $1 AND minute < $2
          GROUP BY 1, 2 ORDER BY 1, 2
          ON CONFLICT (monitor_id, hour) DO UPDATE SET
            checks = EXCLUDED.checks, failures = EXCLUDED.failures,
            latency_sum_us = EXCLUDED.latency_sum_us, latency_max_us = EXCLUDED.latency_max_us)sql",
                        {PgParam::Time(range.from), PgParam::Time(range.to)})
                          .status());
    }
    return tx.Exec("UPDATE uptime_rollup SET hours_before = $1",
                   {PgParam::Time(range.new_watermark)})
        .status();
  });
}

absl::Status PgResultStore::ApplyRetention(absl::Time now, int raw_days, int minute_days) {
  RETURN_IF_ERROR(ValidateRetention(raw_days, minute_days));
  ASSIGN_OR_RETURN(std::vector<std::string> dropped, DropPartitionsOlderThan(*pool_, now, raw_days));
  if (!dropped.empty()) ForgetDays();
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  RETURN_IF_ERROR(lease->Exec("DELETE FROM uptime_minute WHERE minute < $1",
                              {PgParam::Time(now - minute_days * kDay)})
                      .status());
  return lease
      ->Exec("DELETE FROM uptime_hour WHERE hour < $1",
             {PgParam::Time(now - kHourRetentionDays * kDay)})
      .status();
}

}  // namespace uptime::store
