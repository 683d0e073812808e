// MemoryStatusCache: the status cache in memory, for tests and for a
// coordinator run without Redis; also records what was published.
#ifndef UPTIME_STORE_MEMORY_MEMORY_STATUS_CACHE_H_
#define UPTIME_STORE_MEMORY_MEMORY_STATUS_CACHE_H_

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/status_cache.h"

namespace uptime::store {

// Thread-safe.
class MemoryStatusCache : public StatusCache {
 public:
  explicit MemoryStatusCache(int history_length = 1000) : history_length_(history_length) {}

  absl::Status Put(absl::Span<const v1::MonitorStatus> statuses) override;
  absl::Status Remove(absl::Span<const std::string> monitor_ids) override;
  absl::Status AppendHistory(absl::Span<const v1::CheckResult> results) override;
  absl::Status ReplaceHistory(absl::Span<const MonitorHistory> histories) override;
  absl::StatusOr<std::vector<v1::CheckResult>> History(const std::string& monitor_id,
                                                       int limit) override;
  absl::Status Publish(absl::string_view channel, absl::string_view message) override;
  absl::StatusOr<v1::MonitorStatus> Get(const std::string& monitor_id) override;
  absl::StatusOr<std::vector<v1::MonitorStatus>> GetAll() override;
  uint64_t generation() const override { return 1; }
  // True once (the cache starts empty), then false.
  absl::StatusOr<bool> MarkContents() override;

  // What Publish() sent, in order, as (channel, message).
  std::vector<std::pair<std::string, std::string>> published() const;

 private:
  const int history_length_;
  mutable absl::Mutex mu_;
  std::map<std::string, v1::MonitorStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::deque<v1::CheckResult>> history_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::string>> published_ ABSL_GUARDED_BY(mu_);
  bool marked_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_STATUS_CACHE_H_
