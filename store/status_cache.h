// StatusCache: the live view in Redis that the gateway and dashboards read
// without asking the coordinator: each monitor's status, a capped list of its
// recent results (for graphs), and pub/sub channels of events.
//
// Redis is a cache here, not a source of truth: when it restarts empty,
// generation() changes and the coordinator writes every status again, and
// MarkContents() says the history lists went too, so they are refilled from
// PostgreSQL (ReplaceHistory).
//
// Implementations: MemoryStatusCache (memory/memory_status_cache.h) and
// RedisStatusCache (redis/redis_status_cache.h); CacheWriter (cache_writer.h)
// writes behind one.
//
// Example:
//   RETURN_IF_ERROR(cache->Put(changed_statuses));
//   RETURN_IF_ERROR(cache->AppendHistory(batch));
//   RETURN_IF_ERROR(cache->Publish("uptime:events", event.SerializeAsString()));
#ifndef UPTIME_STORE_STATUS_CACHE_H_
#define UPTIME_STORE_STATUS_CACHE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "uptime/v1/result.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::store {

// One monitor's recent history as the source of truth holds it.
struct MonitorHistory {
  std::string monitor_id = {};
  std::vector<v1::CheckResult> results = {};  // newest first
};

// Thread-safe in every implementation.
class StatusCache {
 public:
  virtual ~StatusCache() = default;

  // Stores each monitor's status (replacing the previous one).
  virtual absl::Status Put(absl::Span<const v1::MonitorStatus> statuses) = 0;
  // Forgets the status and history of deleted monitors.
  virtual absl::Status Remove(absl::Span<const std::string> monitor_ids) = 0;
  // Adds results (in completion order) to their monitors' recent history,
  // keeping the newest history_length() per monitor. (A backend may hold a
  // few more between trims; History() never returns more.)
  virtual absl::Status AppendHistory(absl::Span<const v1::CheckResult> results) = 0;
  // Makes each monitor's history exactly `results` (newest first), e.g. to
  // refill what the cache lost; an empty list removes the history.
  virtual absl::Status ReplaceHistory(absl::Span<const MonitorHistory> histories) = 0;
  // Up to `limit` most recent results of a monitor, newest first.
  virtual absl::StatusOr<std::vector<v1::CheckResult>> History(const std::string& monitor_id,
                                                               int limit) = 0;
  virtual absl::Status Publish(absl::string_view channel, absl::string_view message) = 0;
  // NOT_FOUND when the monitor has no status.
  virtual absl::StatusOr<v1::MonitorStatus> Get(const std::string& monitor_id) = 0;
  // Every status, ordered by monitor id.
  virtual absl::StatusOr<std::vector<v1::MonitorStatus>> GetAll() = 0;
  // Counts (re)connections. A change since the last look means the cache may
  // have lost its contents: write everything again.
  virtual uint64_t generation() const = 0;
  // Leaves a marker in the cache and says whether it had to: true when the
  // marker was missing, i.e. the cache lost (or never had) everything
  // written before, so the history lists need a refill; false when it was
  // still there (a reconnect without data loss). Writers call it after
  // generation() changed, before writing anything else.
  virtual absl::StatusOr<bool> MarkContents() = 0;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_STATUS_CACHE_H_
