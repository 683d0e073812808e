#include "coordinator/persistence/redis_mirror.h"

#include <iterator>
#include <utility>

namespace uptime::coordinator {

std::unique_ptr<store::CacheWriter> NewRedisMirror(Clock* clock, store::StatusCache* cache,
                                                   store::CacheWriterOptions options,
                                                   StatusTracker* tracker,
                                                   store::ResultStore* results,
                                                   MetricsRegistry* metrics) {
  auto writer = std::make_unique<store::CacheWriter>(
      cache, [tracker] { return tracker->All(); },
      [tracker, results](const std::string& id, int limit) {
        return NewestResults(tracker, results, id, limit);
      },
      options, clock);
  store::CacheWriter* w = writer.get();
  // Counters read through callbacks (the registry has no callback counter):
  // they only grow.
  metrics->AddCallbackGauge(
      "uptime_cache_history_dropped_total",
      "Durable results not appended to their Redis history (Redis down, or slower than the "
      "writer's bound); their monitors are refilled from PostgreSQL",
      [w] { return static_cast<double>(w->stats().results_dropped); });
  metrics->AddCallbackGauge("uptime_cache_history_refilled_total",
                            "Monitors whose Redis history was refilled from PostgreSQL",
                            [w] { return static_cast<double>(w->stats().monitors_refilled); });
  metrics->AddCallbackGauge("uptime_cache_writer_backlog",
                            "Durable results waiting to be appended to Redis history",
                            [w] { return static_cast<double>(w->stats().backlog); });
  metrics->AddCallbackGauge(
      "uptime_cache_history_stale_monitors",
      "Monitors whose Redis history misses results, waiting to be refilled from PostgreSQL",
      [w] { return static_cast<double>(w->stats().stale_monitors); });
  return writer;
}

absl::StatusOr<std::vector<v1::CheckResult>> NewestResults(StatusTracker* tracker,
                                                           store::ResultStore* results,
                                                           const std::string& monitor_id,
                                                           int limit) {
  // A deleted monitor's history stays deleted.
  if (absl::Status s = tracker->Get(monitor_id).status(); !s.ok()) return s;
  std::vector<v1::CheckResult> out;
  store::ResultQuery query{.monitor_id = monitor_id, .page_size = limit};
  while (static_cast<int>(out.size()) < limit) {
    query.page_size = limit - static_cast<int>(out.size());
    absl::StatusOr<store::ResultPage> page = results->ListResults(query);
    if (!page.ok()) return page.status();
    out.insert(out.end(), std::make_move_iterator(page->results.begin()),
               std::make_move_iterator(page->results.end()));
    if (page->next_page_token.empty()) break;
    query.page_token = std::move(page->next_page_token);
  }
  return out;
}

}  // namespace uptime::coordinator
