// StatusCache on Redis. Keys (prefix configurable, default "uptime:"):
//   uptime:status:<id>   hash: state, since_us, consecutive_failures,
//                        consecutive_successes, open_incident_id, proto
//                        (the serialized uptime.v1.MonitorStatus)
//   uptime:status-ids    set of monitor ids with a status (for GetAll)
//   uptime:history:<id>  list of serialized uptime.v1.CheckResult, newest
//                        first, trimmed back to history_length once it is
//                        history_length / 8 longer (History() reads at most
//                        history_length)
//   uptime:contents      a marker: its absence tells MarkContents() that
//                        Redis lost (or never had) what was written
//   uptime:monitor-labels every monitor's labels, as one serialized
//                        uptime.v1.ListMonitorsResponse of {id, labels}
//                        (written by the gateway, which loads labels from
//                        the coordinator; the statuses carry none)
// Every call is one pipelined round trip (GetAll and an AppendHistory that
// trims: two). ReplaceHistory swaps each list in a MULTI/EXEC, so readers
// never see it half refilled.
//
// Thread-safety: thread-safe; `clock` must outlive the cache.
#ifndef UPTIME_STORE_REDIS_REDIS_STATUS_CACHE_H_
#define UPTIME_STORE_REDIS_REDIS_STATUS_CACHE_H_

#include <map>
#include <string>

#include "common/clock.h"
#include "store/redis/redis_client.h"
#include "store/status_cache.h"

namespace uptime::store {

struct RedisStatusCacheOptions {
  RedisOptions redis = {};
  std::string key_prefix = "uptime:";
  int history_length = 1000;
};

class RedisStatusCache : public StatusCache {
 public:
  RedisStatusCache(RedisStatusCacheOptions options, Clock* clock);

  absl::Status Put(absl::Span<const v1::MonitorStatus> statuses) override;
  absl::Status Remove(absl::Span<const std::string> monitor_ids) override;
  absl::Status AppendHistory(absl::Span<const v1::CheckResult> results) override;
  absl::Status ReplaceHistory(absl::Span<const MonitorHistory> histories) override;
  absl::StatusOr<std::vector<v1::CheckResult>> History(const std::string& monitor_id,
                                                       int limit) override;
  absl::Status Publish(absl::string_view channel, absl::string_view message) override;
  absl::StatusOr<v1::MonitorStatus> Get(const std::string& monitor_id) override;
  absl::StatusOr<std::vector<v1::MonitorStatus>> GetAll() override;
  uint64_t generation() const override { return client_.generation(); }
  absl::StatusOr<bool> MarkContents() override;

  // Monitor id -> its labels.
  using LabelsById = std::map<std::string, std::map<std::string, std::string>>;
  // Replaces the recorded labels of every monitor with `labels` (one SET:
  // readers never see half of it). Not part of StatusCache: only the
  // gateway's fallback reads labels from Redis.
  absl::Status PutMonitorLabels(const LabelsById& labels);
  // What PutMonitorLabels() recorded; NOT_FOUND when nothing is (never
  // written, or Redis lost it), DATA_LOSS when it does not parse.
  absl::StatusOr<LabelsById> GetMonitorLabels();

 private:
  std::string StatusKey(absl::string_view id) const;
  std::string HistoryKey(absl::string_view id) const;
  std::string IdsKey() const;
  std::string ContentsKey() const;
  std::string LabelsKey() const;

  const RedisStatusCacheOptions options_;
  RedisClient client_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_REDIS_REDIS_STATUS_CACHE_H_
