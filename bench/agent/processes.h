// bench/agent: the processes a benchmark run starts, and what /proc says
// about them.
//
// A ChildProcess is killed when its handle goes (SIGTERM, then SIGKILL after
// a grace), and asks the kernel to kill it if the benchmark itself dies
// (PR_SET_PDEATHSIG), so no run leaves a target, exporter or agent behind.
#ifndef UPTIME_BENCH_AGENT_PROCESSES_H_
#define UPTIME_BENCH_AGENT_PROCESSES_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace uptime::bench {

class ChildProcess {
 public:
  // Runs `argv` (argv[0] is a path) with stdout and stderr appended to
  // `log_path`.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                             const std::string& log_path);
  ~ChildProcess() { Stop(absl::Seconds(3)); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // False once the process has exited (it is reaped then).
  bool Alive();
  // SIGTERM, up to `grace` to exit, then SIGKILL. Idempotent.
  void Stop(absl::Duration grace);
  // Sends `signal`, then waits up to `grace` for the exit (e.g. SIGINT, on
  // which perf trace prints its summary); true if it exited.
  bool SignalAndWait(int signal, absl::Duration grace);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
};

// CPU time (user + system, every thread) of `pid` in seconds; -1 if gone.
double ProcessCpuSeconds(pid_t pid);
// Resident set size of `pid` in bytes; -1 if gone.
int64_t ProcessRssBytes(pid_t pid);

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0,
// then closed). Racy in principle; fine for a benchmark on its own machine.
absl::StatusOr<int> FreePort();

// Waits until 127.0.0.1:`port` accepts connections; false after `timeout`.
bool WaitForPort(int port, absl::Duration timeout);

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_AGENT_PROCESSES_H_
