// CheckEngineGroup: one CheckEngine (one event-loop thread) per core, so an
// agent is not capped by what one core can do.
//
// Monitors are partitioned across the loops by a stable hash of their id
// (LoopOf()): a monitor always lands on the same loop, in every process and
// across reassignments, so an update or a removal reaches the loop that runs
// it and no monitor ever runs on two loops. Each loop has its own scheduler,
// curl multi handle, c-ares channels and a share of max_concurrency; the
// loops share nothing but the result callback.
//
// Thread-safety: the public methods are thread-safe. The result callback
// runs on every loop's thread, possibly at the same time: it must be
// thread-safe (CoordinatorSession::OnResults locks), quick, and must not
// call back into the group except stats().
//
// Example:
//   ASSIGN_OR_RETURN(auto group, CheckEngineGroup::Create(options, /*loops=*/0,
//       [&](std::vector<v1::CheckResult> rs) { session.OnResults(std::move(rs)); }));
//   group->Start();
//   group->ReplaceAll(assignment.upserts());
#ifndef UPTIME_AGENTS_ENGINE_CHECK_ENGINE_GROUP_H_
#define UPTIME_AGENTS_ENGINE_CHECK_ENGINE_GROUP_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/engine/check_engine.h"
#include "agents/engine/check_runner.h"

namespace uptime::agent {

// Loops at most (--loops); more would only add threads contending for cores.
inline constexpr int kMaxLoops = 256;

class CheckEngineGroup : public CheckRunner {
 public:
  // `loops` engines (0: one per core, see DefaultLoops()), each with
  // `options` except max_concurrency, which is split among them (rounded
  // up, at least 1 each). INVALID_ARGUMENT names the field for a bad
  // `loops` or max_concurrency; RESOURCE_EXHAUSTED if a loop cannot be set up.
  static absl::StatusOr<std::unique_ptr<CheckEngineGroup>> Create(
      CheckEngineOptions options, int loops, CheckEngine::ResultCallback on_results);
  // Stops every loop (Stop()).
  ~CheckEngineGroup() override;
  CheckEngineGroup(const CheckEngineGroup&) = delete;
  CheckEngineGroup& operator=(const CheckEngineGroup&) = delete;

  // The number of cores this process may run on (sched_getaffinity),
  // capped by its cgroup's CPU limit (a container's limits.cpu, rounded up),
  // at least 1: what `loops` = 0 means.
  static int DefaultLoops();
  // The loop (0..loops-1) that runs monitor `id`: a stable function of the
  // id and the number of loops, independent of the order of assignments.
  static size_t LoopOf(absl::string_view id, size_t loops);

  // Starts every loop's thread. Call once.
  void Start();
  // Ends every loop; see CheckEngine::Stop(). Idempotent.
  void Stop();

  // CheckRunner: each call is split by LoopOf() and handed to every loop
  // (ReplaceAll: every loop gets its part, possibly empty, so monitors that
  // left the set stop everywhere).
  absl::Status ReplaceAll(std::vector<v1::AssignedMonitor> monitors) override;
  absl::Status Apply(std::vector<v1::AssignedMonitor> upserts,
                     std::vector<std::string> removed_ids) override;
  bool WaitIdle(absl::Duration timeout) override;
  // The sum over the loops.
  CheckRunnerStats stats() const override;

  // Runs one check of `monitor` now on its loop; see CheckEngine::RunOnce().
  absl::Status RunOnce(v1::AssignedMonitor monitor);

  size_t loops() const { return engines_.size(); }
  // One loop's counters (i < loops()).
  CheckRunnerStats loop_stats(size_t i) const { return engines_[i]->stats(); }

 private:
  CheckEngineGroup() = default;

  std::vector<std::unique_ptr<CheckEngine>> engines_;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_ENGINE_CHECK_ENGINE_GROUP_H_
