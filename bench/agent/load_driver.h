// bench/agent: a fixed-rate HTTP load driver, used to make
// prometheus-blackbox-exporter probe at a planned rate (as many Prometheus
// servers scraping /probe would).
//
// Open loop: request k is due at start + k / rate, whether or not earlier
// ones have finished; when `max_in_flight` requests are outstanding, a due
// request is dropped and counted as missed rather than queued, so a peer
// that cannot keep up shows as a lower achieved rate instead of a growing
// backlog. Connections to the peer are kept alive: what is measured is the
// peer's probing, not its accepting of scrape connections.
//
// Not thread-safe; runs on the calling thread.
#ifndef UPTIME_BENCH_AGENT_LOAD_DRIVER_H_
#define UPTIME_BENCH_AGENT_LOAD_DRIVER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/time/time.h"

namespace uptime::bench {

struct LoadOptions {
  std::string url;
  double rate = 1000;  // requests per second
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration window = absl::Seconds(10);
  int max_in_flight = 1000;
  // A response counts as a success when its body contains this.
  std::string success_needle;
  // Called when the measuring window opens and closes (e.g. to read /proc).
  std::function<void()> on_window_start;
  std::function<void()> on_window_end;
};

// Counts over the window only.
struct LoadResults {
  int64_t planned = 0;    // requests due in the window
  int64_t completed = 0;  // responses received in the window
  int64_t succeeded = 0;  // ... whose body held success_needle
  int64_t missed = 0;     // due but dropped: max_in_flight outstanding
  int64_t errors = 0;     // transport errors
  double seconds = 0;     // the window's real length
};

LoadResults RunFixedRateLoad(const LoadOptions& options);

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_AGENT_LOAD_DRIVER_H_
