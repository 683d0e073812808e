// ResultStore: raw check results and the uptime statistics derived from them.
//
// Writes come in batches from the coordinator's ingest writers. A batch
// stores its raw results and adds them to per-minute buckets (checks,
// failures, latency sum/max of successful checks) atomically, together with
// the agent batch sequences it makes durable, so an ack sent after
// WriteBatch returns is never ahead of the data and a new leader knows which
// resent batches to skip. Minute buckets roll up into hourly ones for the
// long windows.
//
// Uptime windows (GetUptime):
//   24h, 7d   minute buckets; p95 latency from raw successful results, so it
//             needs raw retention of at least 7 days to be exact for 7d.
//   30d, 90d  hour buckets before the roll-up watermark plus minute buckets
//             after it; p95 is not computed (reported as 0): neither bucket
//             keeps a latency distribution.
//   daily     90 UTC days, oldest first, today (partial) last; from the same
//             hour + minute buckets as 30d/90d.
// A bucket counts towards a window when it starts inside it. Mean latency is
// over successful checks.
//
// Many monitors at once (SumUptime): the totals of every monitor over one
// window, in one query, for the coordinator's UptimeCache behind
// StatusService.ListUptime. It counts exactly what GetUptime's 24h window
// counts, but reads hour buckets for the whole hours before the roll-up
// watermark and minute buckets only for the rest (the partial first hour and
// the hours not rolled up yet), so a 24h sum over 10,000 monitors reads about
// 25 hour rows and at most ~125 minute rows per monitor.
//
// Many monitors' GetUptime (GetUptimes): the same figures for a list of
// monitors (the public status pages' 90-day bars) in a few queries (on
// PostgreSQL two per 100 monitors instead of two per monitor). Buckets that
// fall on the same side of every boundary the arithmetic looks at (now -
// 24h/7d/30d, now, the roll-up watermark, UTC midnights) add up to one
// bucket dated by the earliest of them, so PostgreSQL sends about one row per
// monitor and day instead of every hour and minute, and the answer is
// exactly GetUptime's.
//
// Implementations: MemoryResultStore (memory_result_store.h) and
// PgResultStore (pg_result_store.h).
//
// Example:
//   RETURN_IF_ERROR(results->WriteBatch(batch, {{agent, incarnation, seq}}));
//   SendAck(seq);
//   ASSIGN_OR_RETURN(v1::GetUptimeResponse uptime, results->GetUptime(id, clock->Now()));
#ifndef UPTIME_STORE_RESULT_STORE_H_
#define UPTIME_STORE_RESULT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "uptime/v1/result.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::store {

// The highest result batch of an agent incarnation that is durable.
struct AgentSequence {
  std::string agent_id = {};
  std::string incarnation = {};
  uint64_t last_sequence = 0;

  friend bool operator==(const AgentSequence&, const AgentSequence&) = default;
};

// What one monitor's buckets add up to over a window (SumUptime).
struct UptimeTotals {
  std::string monitor_id = {};
  int64_t checks = 0;
  int64_t failures = 0;
  int64_t latency_sum_us = 0;  // successful checks only

  friend bool operator==(const UptimeTotals&, const UptimeTotals&) = default;
};

struct ResultQuery {
  std::string monitor_id = {};
  absl::Time start = absl::InfinitePast();   // inclusive
  absl::Time end = absl::InfiniteFuture();   // exclusive
  bool failures_only = false;
  int page_size = 100;  // 0 means 100; capped at 1000
  std::string page_token = {};
};

struct ResultPage {
  std::vector<v1::CheckResult> results;  // newest first
  std::string next_page_token;           // empty on the last page
};

// Thread-safe in every implementation.
class ResultStore {
 public:
  virtual ~ResultStore() = default;

  // Stores `results` and their minute buckets, and records `acks` (the
  // highest durable batch per agent; a new incarnation replaces the old
  // one), all or nothing. The results should already be filtered (stale
  // epochs dropped): everything given is counted.
  virtual absl::Status WriteBatch(absl::Span<const v1::CheckResult> results,
                                  absl::Span<const AgentSequence> acks) = 0;

  // Records `ack` alone (a batch that had no results to store).
  virtual absl::Status SaveAgentSequence(const AgentSequence& ack) = 0;
  // The last recorded sequence of every agent.
  virtual absl::StatusOr<std::vector<AgentSequence>> LoadAgentSequences() = 0;

  // Raw results of one monitor, newest first (ties by agent id).
  // INVALID_ARGUMENT for a malformed page token.
  virtual absl::StatusOr<ResultPage> ListResults(const ResultQuery& query) = 0;

  // Uptime over 24h/7d/30d/90d and 90 daily bars as of `now`.
  virtual absl::StatusOr<v1::GetUptimeResponse> GetUptime(const std::string& monitor_id,
                                                          absl::Time now) = 0;

  // GetUptime(id, now) of each of `monitor_ids`, in the same order (a
  // repeated id is answered at each position; an id without data gets empty
  // windows, as from GetUptime), in a few queries rather than a few per id.
  virtual absl::StatusOr<std::vector<v1::GetUptimeResponse>> GetUptimes(
      absl::Span<const std::string> monitor_ids, absl::Time now) = 0;

  // Totals of every monitor that has a bucket starting in [from, to), ordered
  // by monitor id (byte order). Monitors without checks there are left out.
  // INVALID_ARGUMENT when from > to.
  virtual absl::StatusOr<std::vector<UptimeTotals>> SumUptime(absl::Time from,
                                                              absl::Time to) = 0;

  // Aggregates the minute buckets of every hour that closed (with a couple of
  // minutes' grace for late results) into hour buckets, recomputing the last
  // rolled-up hour too so stragglers are counted. Idempotent.
  virtual absl::Status RollUpHours(absl::Time now) = 0;

  // Deletes raw results of UTC days that ended more than `raw_days` ago,
  // minute buckets older than `minute_days`, hour buckets older than 92 days.
  // INVALID_ARGUMENT when raw_days < 1 or minute_days < 7 (the 7d window
  // reads minute buckets).
  virtual absl::Status ApplyRetention(absl::Time now, int raw_days, int minute_days) = 0;
};

// Hour buckets are kept this long: the 90-day window and bars, plus slack.
inline constexpr int kHourRetentionDays = 92;
// Roll-up waits this long after an hour ends for late results.
inline constexpr absl::Duration kRollUpGrace = absl::Minutes(2);

}  // namespace uptime::store

#endif  // UPTIME_STORE_RESULT_STORE_H_
