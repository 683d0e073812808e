// CheckRunner: what the coordinator session drives. The CheckEngine in
// production; tests of the session use a fake.
#ifndef UPTIME_AGENTS_ENGINE_CHECK_RUNNER_H_
#define UPTIME_AGENTS_ENGINE_CHECK_RUNNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "uptime/v1/agent.pb.h"

namespace uptime::agent {

// Counters for heartbeats and metrics; monotonic unless noted.
struct CheckRunnerStats {
  int64_t monitors = 0;   // scheduled now (gauge)
  int64_t in_flight = 0;  // checks running now (gauge)
  int64_t started = 0;
  int64_t completed = 0;  // results delivered
  int64_t overruns = 0;   // slots skipped: previous check still running
  int64_t skipped = 0;    // slots skipped: the loop fell behind
};

// Implementations are thread-safe.
class CheckRunner {
 public:
  virtual ~CheckRunner() = default;

  // Makes `monitors` the complete set: others stop, known ones keep their
  // schedule, new ones start. Paused monitors count as absent.
  virtual absl::Status ReplaceAll(std::vector<v1::AssignedMonitor> monitors) = 0;
  // Adds or updates `upserts` and stops `removed_ids`.
  virtual absl::Status Apply(std::vector<v1::AssignedMonitor> upserts,
                             std::vector<std::string> removed_ids) = 0;
  // Waits until no check is running or queued; false on timeout.
  virtual bool WaitIdle(absl::Duration timeout) = 0;
  virtual CheckRunnerStats stats() const = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_ENGINE_CHECK_RUNNER_H_
