// CheckEngine: runs every assigned monitor's checks on one event-loop thread.
// (The agent runs one per core: CheckEngineGroup.)
//
// The loop owns a Scheduler and a libcurl multi handle driven through the
// multi-socket API (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION) on
// epoll. It sleeps until the earlier of curl's next timeout and the next due
// check, so checks start on time without a thread per check. Other threads
// talk to it through a bounded command queue and an eventfd wakeup; results
// leave through a callback, in batches, once per loop iteration.
//
// Thread-safety: the public methods are thread-safe. The result callback runs
// on the loop thread: it must be quick and must not call back into the engine
// except stats().
//
// Example:
//   auto engine = CheckEngine::Create({.identity = {"agent-1", {{"region", "eu"}}}},
//                                     [&](std::vector<v1::CheckResult> rs) { sink.Add(rs); });
//   (*engine)->Start();
//   (*engine)->ReplaceAll(assignment.upserts());
#ifndef UPTIME_AGENTS_ENGINE_CHECK_ENGINE_H_
#define UPTIME_AGENTS_ENGINE_CHECK_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agents/engine/check_runner.h"
#include "agents/checkers/check_spec.h"
#include "uptime/v1/agent.pb.h"
#include "uptime/v1/result.pb.h"

namespace uptime::agent {

struct CheckEngineOptions {
  AgentIdentity identity;
  // Checks running at once; due checks beyond it wait (and run late).
  int max_concurrency = 1000;
  // A slot that cannot start within this fraction of its monitor's interval
  // is skipped, not run late (Scheduler: "Late slots are shed"), so a stall
  // or a burst cannot leave the engine stuck at max_concurrency with every
  // check late. 0: run late slots anyway.
  double late_skip_fraction = 0.1;
  // Scheduled checks start at most this many times as fast as the monitors
  // ask for (StartPacer), so a backlog drains without a burst. 0: no cap.
  double catch_up_factor = 2.0;
  // Idle curl handles kept for reuse (each ~7 KiB plus its 16 KiB receive
  // buffer): reuse saves curl's setup per check, and steady load needs only
  // about as many as checks end per loop iteration; more would be memory
  // (DESIGN §6: 1 KiB per monitor). CheckEngineGroup splits it among its
  // loops (at least 16 each).
  size_t max_idle_handles = 64;
  // Commands waiting for the loop; callers block (up to a few seconds) when
  // it is full.
  size_t queue_capacity = 1024;
  // The resolver(s) of DNS checks that name none and of host names, as
  // "HOST[:PORT],..."; empty: /etc/resolv.conf.
  std::string dns_servers;
  // Plain-HTTP checks as HttpCheck on the loop (6 system calls per check)
  // rather than curl transfers (about 17); false: every HTTP check is curl's.
  bool http_on_loop = true;
};

using CheckEngineStats = CheckRunnerStats;

class CheckEngine : public CheckRunner {
 public:
  using ResultCallback = std::function<void(std::vector<v1::CheckResult> results)>;

  // Sets up epoll, the eventfd and the curl multi handle; the loop starts
  // with Start(). Errors only for exhausted system resources.
  static absl::StatusOr<std::unique_ptr<CheckEngine>> Create(CheckEngineOptions options,
                                                            ResultCallback on_results);
  // Stops the loop (Stop()).
  ~CheckEngine() override;
  CheckEngine(const CheckEngine&) = delete;
  CheckEngine& operator=(const CheckEngine&) = delete;

  // Starts the loop thread. Call once.
  void Start();
  // Ends the loop: checks in flight are abandoned without results. Use
  // ReplaceAll({}) + WaitIdle() first for a graceful end. Idempotent.
  void Stop();

  // Makes `monitors` the complete set: others stop, known ones keep their
  // schedule (same interval = same slots), new ones start. Paused monitors
  // count as absent. UNAVAILABLE if the queue stayed full or the engine is
  // stopped.
  absl::Status ReplaceAll(std::vector<v1::AssignedMonitor> monitors) override;
  // Adds or updates `upserts` and stops `removed_ids`.
  absl::Status Apply(std::vector<v1::AssignedMonitor> upserts,
                     std::vector<std::string> removed_ids) override;
  // Runs one check of `monitor` now, outside its schedule (an ad-hoc probe;
  // also what checker tests use). The result arrives through the callback.
  absl::Status RunOnce(v1::AssignedMonitor monitor);

  // Waits until no check is in flight and none is queued; false on timeout.
  bool WaitIdle(absl::Duration timeout) override;

  CheckEngineStats stats() const override;

 private:
  struct ReplaceCmd {
    std::vector<v1::AssignedMonitor> monitors;
  };
  struct ApplyCmd {
    std::vector<v1::AssignedMonitor> upserts;
    std::vector<std::string> removed_ids;
  };
  struct RunOnceCmd {
    v1::AssignedMonitor monitor;
  };
  using Command = std::variant<ReplaceCmd, ApplyCmd, RunOnceCmd>;

  class Loop;  // the loop-thread state (check_engine_loop.h)

  CheckEngine(CheckEngineOptions options, ResultCallback on_results);
  absl::Status Enqueue(Command command);

  const CheckEngineOptions options_;
  const ResultCallback on_results_;

  mutable absl::Mutex mu_;
  std::deque<Command> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // Loop-published counters.
  std::atomic<int64_t> monitors_{0}, in_flight_{0}, started_{0}, completed_{0}, overruns_{0},
      skipped_{0};
  std::atomic<int64_t> queued_{0};  // commands not yet applied

  std::unique_ptr<Loop> loop_;
  std::thread thread_;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_ENGINE_CHECK_ENGINE_H_
