#include "store/memory/memory_result_store.h"

#include <algorithm>

#include "store/paging.h"

namespace uptime::store {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

absl::Time StartTime(const v1::CheckResult& r) { return absl::FromUnixMicros(r.start_time_us()); }

// Newest first, ties by agent id descending: the order PostgreSQL returns.
bool NewerFirst(const v1::CheckResult& a, const v1::CheckResult& b) {
  if (a.start_time_us() != b.start_time_us()) return a.start_time_us() > b.start_time_us();
  return a.agent_id() > b.agent_id();
}

}  // namespace

void MemoryResultStore::RecordAckLocked(const AgentSequence& ack) {
  auto [it, inserted] = acks_.try_emplace(ack.agent_id, ack);
  if (inserted) return;
  if (it->second.incarnation == ack.incarnation) {
    it->second.last_sequence = std::max(it->second.last_sequence, ack.last_sequence);
  } else {
    it->second = ack;
  }
}

absl::Status MemoryResultStore::WriteBatch(absl::Span<const v1::CheckResult> results,
                                           absl::Span<const AgentSequence> acks) {
  const MinuteBuckets batch = AggregateMinutes(results);
  absl::MutexLock lock(&mu_);
  for (const v1::CheckResult& r : results) results_[r.monitor_id()].push_back(r);
  for (const auto& [key, bucket] : batch) {
    Bucket& b = minutes_[key];
    b.start = bucket.start;
    b.Add(bucket);
  }
  for (const AgentSequence& ack : acks) RecordAckLocked(ack);
  return absl::OkStatus();
}

absl::Status MemoryResultStore::SaveAgentSequence(const AgentSequence& ack) {
  absl::MutexLock lock(&mu_);
  RecordAckLocked(ack);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AgentSequence>> MemoryResultStore::LoadAgentSequences() {
  absl::MutexLock lock(&mu_);
  std::vector<AgentSequence> out;
  for (const auto& [agent, ack] : acks_) out.push_back(ack);
  return out;
}

absl::StatusOr<ResultPage> MemoryResultStore::ListResults(const ResultQuery& query) {
  absl::StatusOr<PageCursor> cursor = DecodePageToken(query.page_token);
  if (!cursor.ok()) return cursor.status();
  const size_t page_size = EffectivePageSize(query.page_size);
  std::vector<v1::CheckResult> matching;
  {
    absl::MutexLock lock(&mu_);
    auto it = results_.find(query.monitor_id);
    if (it != results_.end()) {
      for (const v1::CheckResult& r : it->second) {
        const absl::Time t = StartTime(r);
        if (t < query.start || t >= query.end) continue;
        if (query.failures_only && r.success()) continue;
        if (!AfterCursor(*cursor, t, r.agent_id())) continue;
        matching.push_back(r);
      }
    }
  }
  std::sort(matching.begin(), matching.end(), NewerFirst);
  ResultPage page;
  if (matching.size() > page_size) {
    matching.resize(page_size);
    const v1::CheckResult& last = matching.back();
    page.next_page_token = EncodePageToken({StartTime(last), last.agent_id()});
  }
  page.results = std::move(matching);
  return page;
}

absl::StatusOr<v1::GetUptimeResponse> MemoryResultStore::GetUptime(const std::string& monitor_id,
                                                                   absl::Time now) {
  UptimeInputs in;
  std::vector<int64_t> latencies_24h, latencies_7d;
  {
    absl::MutexLock lock(&mu_);
    in.hours_before = hours_before_;
    const absl::Time minutes_from = std::min(now - 7 * kDay, hours_before_);
    for (auto it = minutes_.lower_bound({monitor_id, INT64_MIN});
         it != minutes_.end() && it->first.first == monitor_id; ++it) {
      if (it->second.start >= minutes_from && it->second.start < now) {
        in.minutes.push_back(it->second);
      }
    }
    for (auto it = hours_.lower_bound({monitor_id, INT64_MIN});
         it != hours_.end() && it->first.first == monitor_id; ++it) {
      const absl::Time start = it->second.start;
      if (start >= now - 90 * kDay && start < hours_before_) in.hours.push_back(it->second);
    }
    auto results = results_.find(monitor_id);
    if (results != results_.end()) {
      for (const v1::CheckResult& r : results->second) {
        const absl::Time t = StartTime(r);
        if (!r.success() || t < now - 7 * kDay || t >= now) continue;
        latencies_7d.push_back(r.latency_us());
        if (t >= now - absl::Hours(24)) latencies_24h.push_back(r.latency_us());
      }
    }
  }
  in.p95_24h_us = PercentileDisc(latencies_24h, 0.95);
  in.p95_7d_us = PercentileDisc(latencies_7d, 0.95);
  return ComputeUptime(monitor_id, now, in);
}

absl::StatusOr<std::vector<v1::GetUptimeResponse>> MemoryResultStore::GetUptimes(
    absl::Span<const std::string> monitor_ids, absl::Time now) {
  // In memory a monitor's read is a map lookup: one GetUptime each is the
  // batch, and the reference PgResultStore's grouped queries are tested against.
  std::vector<v1::GetUptimeResponse> out;
  out.reserve(monitor_ids.size());
  for (const std::string& id : monitor_ids) {
    absl::StatusOr<v1::GetUptimeResponse> one = GetUptime(id, now);
    if (!one.ok()) return one.status();
    out.push_back(*std::move(one));
  }
  return out;
}

absl::StatusOr<std::vector<UptimeTotals>> MemoryResultStore::SumUptime(absl::Time from,
                                                                       absl::Time to) {
  if (from > to) return absl::InvalidArgumentError("uptime sum: window ends before it starts");
  std::map<std::string, UptimeTotals> sums;
  const auto add = [&](const std::string& monitor_id, const Bucket& b) {
    UptimeTotals& t = sums[monitor_id];
    t.checks += b.checks;
    t.failures += b.failures;
    t.latency_sum_us += b.latency_sum_us;
  };
  absl::MutexLock lock(&mu_);
  const SumPlan plan = PlanSum(from, to, hours_before_);
  for (const auto& [key, hour] : hours_) {
    if (hour.start >= plan.hours_from && hour.start < plan.hours_to) add(key.first, hour);
  }
  for (const auto& [key, minute] : minutes_) {
    const absl::Time t = minute.start;
    if (t < from || t >= to) continue;
    if (t < plan.hours_from || t >= plan.hours_to) add(key.first, minute);
  }
  std::vector<UptimeTotals> out;
  out.reserve(sums.size());
  for (auto& [id, totals] : sums) {
    totals.monitor_id = id;
    out.push_back(std::move(totals));
  }
  return out;
}

absl::Status MemoryResultStore::RollUpHours(absl::Time now) {
  absl::MutexLock lock(&mu_);
  const RollUpRange range = RollUpRangeFor(hours_before_, now);
  std::map<std::pair<std::string, int64_t>, Bucket> recomputed;
  for (const auto& [key, minute] : minutes_) {
    if (minute.start < range.from || minute.start >= range.to) continue;
    const absl::Time hour = Truncate(minute.start, absl::Hours(1));
    Bucket& b = recomputed[{key.first, absl::ToUnixMicros(hour)}];
    b.start = hour;
    b.Add(minute);
  }
  // Replace, not add: recomputing the same hour twice gives the same row.
  for (auto& [key, bucket] : recomputed) hours_[key] = bucket;
  hours_before_ = range.new_watermark;
  return absl::OkStatus();
}

absl::Status MemoryResultStore::ApplyRetention(absl::Time now, int raw_days, int minute_days) {
  if (absl::Status s = ValidateRetention(raw_days, minute_days); !s.ok()) return s;
  // Raw results go by whole UTC days, like the PostgreSQL partitions.
  const absl::Time raw_from = Truncate(now - raw_days * kDay, kDay);
  const absl::Time minutes_from = now - minute_days * kDay;
  const absl::Time hours_from = now - kHourRetentionDays * kDay;
  absl::MutexLock lock(&mu_);
  for (auto& [id, results] : results_) {
    std::erase_if(results, [&](const v1::CheckResult& r) { return StartTime(r) < raw_from; });
  }
  std::erase_if(minutes_, [&](const auto& kv) { return kv.second.start < minutes_from; });
  std::erase_if(hours_, [&](const auto& kv) { return kv.second.start < hours_from; });
  return absl::OkStatus();
}

}  // namespace uptime::store
