#include "store/memory/memory_status_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::store {

absl::Status MemoryStatusCache::Put(absl::Span<const v1::MonitorStatus> statuses) {
  absl::MutexLock lock(&mu_);
  for (const v1::MonitorStatus& s : statuses) statuses_[s.monitor_id()] = s;
  return absl::OkStatus();
}

absl::Status MemoryStatusCache::Remove(absl::Span<const std::string> monitor_ids) {
  absl::MutexLock lock(&mu_);
  for (const std::string& id : monitor_ids) {
    statuses_.erase(id);
    history_.erase(id);
  }
  return absl::OkStatus();
}

absl::Status MemoryStatusCache::AppendHistory(absl::Span<const v1::CheckResult> results) {
  absl::MutexLock lock(&mu_);
  for (const v1::CheckResult& r : results) {
    std::deque<v1::CheckResult>& list = history_[r.monitor_id()];
    list.push_front(r);
    while (list.size() > static_cast<size_t>(history_length_)) list.pop_back();
  }
  return absl::OkStatus();
}

absl::Status MemoryStatusCache::ReplaceHistory(absl::Span<const MonitorHistory> histories) {
  absl::MutexLock lock(&mu_);
  for (const MonitorHistory& h : histories) {
    if (h.results.empty()) {
      history_.erase(h.monitor_id);
      continue;
    }
    const size_t n = std::min(h.results.size(), static_cast<size_t>(std::max(0, history_length_)));
    history_[h.monitor_id].assign(h.results.begin(), h.results.begin() + n);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> MemoryStatusCache::MarkContents() {
  absl::MutexLock lock(&mu_);
  return !std::exchange(marked_, true);
}

absl::StatusOr<std::vector<v1::CheckResult>> MemoryStatusCache::History(
    const std::string& monitor_id, int limit) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::CheckResult> out;
  auto it = history_.find(monitor_id);
  if (it == history_.end()) return out;
  for (const v1::CheckResult& r : it->second) {
    if (out.size() >= static_cast<size_t>(std::max(0, limit))) break;
    out.push_back(r);
  }
  return out;
}

absl::Status MemoryStatusCache::Publish(absl::string_view channel, absl::string_view message) {
  absl::MutexLock lock(&mu_);
  published_.emplace_back(std::string(channel), std::string(message));
  return absl::OkStatus();
}

absl::StatusOr<v1::MonitorStatus> MemoryStatusCache::Get(const std::string& monitor_id) {
  absl::MutexLock lock(&mu_);
  auto it = statuses_.find(monitor_id);
  if (it == statuses_.end()) {
    return absl::NotFoundError(absl::StrCat("no status for monitor '", monitor_id, "'"));
  }
  return it->second;
}

absl::StatusOr<std::vector<v1::MonitorStatus>> MemoryStatusCache::GetAll() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::MonitorStatus> out;
  for (const auto& [id, s] : statuses_) out.push_back(s);
  return out;
}

std::vector<std::pair<std::string, std::string>> MemoryStatusCache::published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

}  // namespace uptime::store
