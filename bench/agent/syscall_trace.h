// bench/agent: counts the system calls of a running process by kind, with
// `perf trace -s` (tracepoints, cheap) or else `strace -c -f` (ptrace, slow),
// attached for a while and then interrupted for its summary.
#ifndef UPTIME_BENCH_AGENT_SYSCALL_TRACE_H_
#define UPTIME_BENCH_AGENT_SYSCALL_TRACE_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace uptime::bench {

struct SyscallCounts {
  std::string tool;                      // "perf trace" or "strace"
  std::map<std::string, int64_t> calls;  // by system call, all threads summed
  int64_t total = 0;
};

// Traces `pid` (every thread) for `duration`; the tool's output goes to
// files in `workdir`. UNAVAILABLE if neither tool is installed or it fails.
absl::StatusOr<SyscallCounts> TraceSyscalls(pid_t pid, absl::Duration duration,
                                            const std::string& workdir);

// The per-syscall "calls" of a `perf trace -s` summary (per-thread tables)
// or of a `strace -c` table, summed over threads.
SyscallCounts ParseSyscallSummary(const std::string& text);

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_AGENT_SYSCALL_TRACE_H_
