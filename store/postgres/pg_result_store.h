// ResultStore on PostgreSQL: `results` (partitioned by UTC day),
// `uptime_minute`, `uptime_hour`, `uptime_rollup` and `agent_batches`.
//
// WriteBatch costs three statements in one transaction whatever the batch
// size: one COPY of the raw rows, one upsert of the batch's minute buckets
// (pre-aggregated per monitor and minute, passed as arrays to unnest), and
// one upsert of the agent sequences. Partitions for the batch's days are
// created on first sight (remembered afterwards), so a result from a clock
// that is off by a day is stored rather than failing the batch.
//
// Thread-safety: thread-safe; the pool must outlive the store.
#ifndef UPTIME_STORE_POSTGRES_PG_RESULT_STORE_H_
#define UPTIME_STORE_POSTGRES_PG_RESULT_STORE_H_

#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/postgres/pg_pool.h"
#include "store/result_store.h"

namespace uptime::store {

class PgResultStore : public ResultStore {
 public:
  explicit PgResultStore(PgPool* pool) : pool_(pool) {}

  absl::Status WriteBatch(absl::Span<const v1::CheckResult> results,
                          absl::Span<const AgentSequence> acks) override;
  absl::Status SaveAgentSequence(const AgentSequence& ack) override;
  absl::StatusOr<std::vector<AgentSequence>> LoadAgentSequences() override;
  absl::StatusOr<ResultPage> ListResults(const ResultQuery& query) override;
  absl::StatusOr<v1::GetUptimeResponse> GetUptime(const std::string& monitor_id,
                                                  absl::Time now) override;
  absl::StatusOr<std::vector<v1::GetUptimeResponse>> GetUptimes(
      absl::Span<const std::string> monitor_ids, absl::Time now) override;
  absl::StatusOr<std::vector<UptimeTotals>> SumUptime(absl::Time from, absl::Time to) override;
  absl::Status RollUpHours(absl::Time now) override;
  absl::Status ApplyRetention(absl::Time now, int raw_days, int minute_days) override;

 private:
  // Creates the partitions of `days` (Unix day numbers) not known to exist.
  absl::Status EnsureDays(PgConn& conn, const std::set<int64_t>& days);
  void ForgetDays();

  PgPool* const pool_;
  absl::Mutex mu_;
  std::set<int64_t> known_days_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_RESULT_STORE_H_
