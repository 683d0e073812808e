#include "gateway/redis_fallback.h"

#include "spdlog/spdlog.h"

namespace uptime::gateway {

FallbackSnapshot MergeFallback(std::vector<v1::MonitorStatus> statuses,
                               const absl::StatusOr<LabelsById>& labels) {
  FallbackSnapshot out;
  out.labels_known = labels.ok();
  for (v1::MonitorStatus& s : statuses) {
    MonitorEntry& entry = out.entries[s.monitor_id()];
    if (out.labels_known) {
      auto it = labels->find(s.monitor_id());
      if (it == labels->end()) {
        // Newer than the record: one monitor without labels would make
        // selectors answer wrongly, so none are trusted.
        out.labels_known = false;
      } else {
        entry.labels = it->second;
      }
    }
    entry.status = std::move(s);
  }
  if (!out.labels_known) {
    for (auto& [id, entry] : out.entries) entry.labels.clear();
  }
  return out;
}

absl::StatusOr<FallbackSnapshot> RedisFallback::Load() {
  absl::StatusOr<std::vector<v1::MonitorStatus>> statuses = cache_->GetAll();
  if (!statuses.ok()) return statuses.status();
  absl::StatusOr<LabelsById> labels = cache_->GetMonitorLabels();
  if (!labels.ok() && !absl::IsNotFound(labels.status())) {
    spdlog::warn("monitor labels from Redis: {}", labels.status().ToString());
  }
  return MergeFallback(*std::move(statuses), labels);
}

void RedisFallback::Remember(const LabelsById& labels) {
  absl::MutexLock lock(&mu_);
  // A reconnect may mean Redis restarted empty: write again.
  if (recorded_generation_ != 0 && recorded_generation_ == cache_->generation() &&
      recorded_ == labels) {
    return;
  }
  if (absl::Status s = cache_->PutMonitorLabels(labels); !s.ok()) {
    recorded_generation_ = 0;
    if (!failing_) {
      spdlog::warn("recording monitor labels in Redis (for starts without the coordinator): {}",
                   s.ToString());
    }
    failing_ = true;
    return;
  }
  failing_ = false;
  recorded_ = labels;
  recorded_generation_ = cache_->generation();
}

}  // namespace uptime::gateway
