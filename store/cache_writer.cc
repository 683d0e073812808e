#include "store/cache_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::store {

CacheWriter::CacheWriter(StatusCache* cache, Snapshot snapshot, CacheWriterOptions options)
    : cache_(cache), snapshot_(std::move(snapshot)), options_(options) {}

CacheWriter::~CacheWriter() { Stop(); }

void CacheWriter::Start() { thread_ = std::thread([this] { Run(); }); }

void CacheWriter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void CacheWriter::Put(std::vector<v1::MonitorStatus> statuses) {
  if (statuses.empty()) return;
  absl::MutexLock lock(&mu_);
  for (v1::MonitorStatus& s : statuses) {
    std::string id = s.monitor_id();
    statuses_.insert_or_assign(std::move(id), std::move(s));
  }
}

void CacheWriter::AppendHistory(std::vector<v1::CheckResult> results) {
  if (results.empty()) return;
  absl::MutexLock lock(&mu_);
  if (pending_results_ + results.size() > options_.max_pending_results) {
    dropped_ += results.size();
    return;
  }
  pending_results_ += results.size();
  history_.push_back(std::move(results));
}

uint64_t CacheWriter::dropped_results() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

size_t CacheWriter::pending_results() const {
  absl::MutexLock lock(&mu_);
  return pending_results_;
}

void CacheWriter::Run() {
  while (true) {
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      auto stopped = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_; };
      mu_.AwaitWithTimeout(absl::Condition(&stopped), options_.interval);
      stopping = stop_;
    }
    FlushOnce();
    if (stopping) return;
  }
}

void CacheWriter::FlushOnce() {
  std::unordered_map<std::string, v1::MonitorStatus> statuses;
  std::vector<std::vector<v1::CheckResult>> history;
  {
    absl::MutexLock lock(&mu_);
    statuses.swap(statuses_);
    history.swap(history_);
    pending_results_ = 0;
  }
  uint64_t dropped = 0;
  // Redis restarted (or was never filled): everything first, then what
  // changed since, which is at least as new.
  // A failed attempt is retried at once if the cache reconnected meanwhile,
  // else about once a second: a snapshot of every monitor is not free.
  const uint64_t generation = cache_->generation();
  if (generation != synced_generation_ || synced_generation_ == 0) {
    const int64_t retry_flushes =
        std::max<int64_t>(1, absl::Seconds(1) / std::max(options_.interval, absl::Milliseconds(1)));
    if (generation != failed_generation_ || ++flushes_since_failure_ >= retry_flushes) {
      if (cache_->Put(snapshot_()).ok()) {
        synced_generation_ = cache_->generation();
      } else {
        failed_generation_ = cache_->generation();
        flushes_since_failure_ = 0;
      }
    }
  }
  if (!statuses.empty()) {
    std::vector<v1::MonitorStatus> batch;
    batch.reserve(statuses.size());
    for (auto& [id, s] : statuses) batch.push_back(std::move(s));
    if (absl::Status s = cache_->Put(batch); !s.ok()) {
      // The next successful flush rewrites every status from the snapshot.
      synced_generation_ = 0;
      spdlog::debug("cache statuses not updated: {}", s.message());
    }
  }
  for (const std::vector<v1::CheckResult>& results : history) {
    if (absl::Status s = cache_->AppendHistory(results); !s.ok()) {
      dropped += results.size();
      spdlog::debug("cache history not updated: {}", s.message());
    }
  }
  if (dropped > 0) {
    absl::MutexLock lock(&mu_);
    dropped_ += dropped;
  }
}

}  // namespace uptime::store
