// ResultStore in memory, for unit tests of the coordinator and as the
// reference the PostgreSQL store is tested against (same typed suite).
//
// Thread-safety: thread-safe (one mutex).
#ifndef UPTIME_STORE_MEMORY_MEMORY_RESULT_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_RESULT_STORE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/result_store.h"
#include "store/uptime_stats.h"

namespace uptime::store {

class MemoryResultStore : public ResultStore {
 public:
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
  void RecordAckLocked(const AgentSequence& ack) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  // Raw results per monitor, in arrival order.
  std::map<std::string, std::vector<v1::CheckResult>> results_ ABSL_GUARDED_BY(mu_);
  MinuteBuckets minutes_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, int64_t>, Bucket> hours_ ABSL_GUARDED_BY(mu_);
  absl::Time hours_before_ ABSL_GUARDED_BY(mu_) = absl::UnixEpoch();
  std::map<std::string, AgentSequence> acks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_RESULT_STORE_H_
