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
