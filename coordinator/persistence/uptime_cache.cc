#include "coordinator/persistence/uptime_cache.h"

#include <utility>
#include <vector>

#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {

UptimeCache::UptimeCache(Clock* clock, store::ResultStore* results, UptimeCacheOptions options)
    : clock_(clock),
      results_(results),
      options_(std::move(options)),
      runner_(clock, "uptime-cache", [this](absl::Time now) {
        if (absl::Status s = Refresh(); !s.ok()) {
          spdlog::warn("uptime summary not refreshed, keeping the previous one: {}", s.message());
          return now + options_.retry_interval;
        }
        return now + options_.refresh_interval;
      }) {}

void UptimeCache::Start() { runner_.Start(); }

void UptimeCache::Stop() { runner_.Stop(); }

absl::Status UptimeCache::Refresh() {
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::vector<store::UptimeTotals>> sums =
      results_->SumUptime(now - options_.window, now);
  if (!sums.ok()) return sums.status();
  auto summary = std::make_shared<UptimeSummary>();
  summary->computed_at = now;
  summary->totals.reserve(sums->size());
  for (store::UptimeTotals& t : *sums) {
    std::string id = t.monitor_id;
    summary->totals.emplace(std::move(id), std::move(t));
  }
  absl::MutexLock lock(&mu_);
  current_ = std::move(summary);
  return absl::OkStatus();
}

std::shared_ptr<const UptimeSummary> UptimeCache::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace uptime::coordinator
