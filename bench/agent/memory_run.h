// bench/agent --mode=memory: the agent's memory per monitor, idle and
// checking, with where it goes (DESIGN §6: <= 1 KiB per monitor).
//
// 1. base: connected, no monitors.
// 2. idle: N monitors at a 3600 s interval, measured 12 s after the
//    assignment (jemalloc purges freed pages after 10 s): the monitor table,
//    with the few prompt first checks per second a long interval allows
//    (StartPacer) in flight.
// 3. checking: the same monitors moved to --interval (known ids keep no
//    prompt check; they start on their phase-spread slots at once), measured
//    after --seconds of checking, with the peak RSS seen on the way.
// Each point reads the process's RSS (/proc) and jemalloc's counters (the
// agent's uptime_agent_heap_bytes), so the growth over base splits into
// live data (allocated), allocator overhead (resident - allocated) and
// memory outside the heap (RSS - resident: thread stacks, libraries' own
// mappings, curl's and OpenSSL's mmaps).
#ifndef UPTIME_BENCH_AGENT_MEMORY_RUN_H_
#define UPTIME_BENCH_AGENT_MEMORY_RUN_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/agent/agent_under_test.h"

namespace uptime::bench {

struct MemoryOptions {
  AgentLaunch launch;
  std::string kind = "http";  // http | tcp
  int monitors = 10000;
  double interval = 1.0;  // while checking
  int seconds = 60;       // checking before the measurement
  std::string host, url, keyword;
  int port = 0;
};

struct MemorySample {
  int64_t rss = 0;
  // ScrapeAgentGauges(): heap bytes by kind (none without jemalloc), the
  // checks in flight and the results awaiting an ack.
  std::map<std::string, int64_t> heap;
};

struct MemoryRun {
  MemorySample base, idle, checking;
  int64_t peak_rss = 0;  // while checking
  int64_t checks = 0;    // started while checking, reported
  int64_t failures = 0;
  std::string first_error;
  // Bytes per monitor of each structure of the table (MeasureTableMemory).
  std::vector<std::pair<std::string, double>> table;
};

absl::StatusOr<MemoryRun> RunMemory(const MemoryOptions& options);
void PrintMemoryTable(const MemoryOptions& options, const MemoryRun& run);

// "12.3 MiB": how the bench tables print sizes.
std::string Mib(int64_t bytes);

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_AGENT_MEMORY_RUN_H_
