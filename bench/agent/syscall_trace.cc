#include "bench/agent/syscall_trace.h"

#include <signal.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/agent/processes.h"

namespace uptime::bench {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

SyscallCounts ParseSyscallSummary(const std::string& text) {
  SyscallCounts out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    int64_t calls = 0;
    // perf trace -s: "name calls errors total min avg max stddev%".
    if (f.size() >= 8 && !f[0].empty() && std::isalpha(static_cast<unsigned char>(f[0][0])) &&
        absl::SimpleAtoi(f[1], &calls)) {
      out.calls[f[0]] += calls;
      out.total += calls;
      continue;
    }
    // strace -c: "% time seconds usecs/call calls [errors] syscall".
    double pct = 0;
    if ((f.size() == 5 || f.size() == 6) && absl::SimpleAtod(f[0], &pct) &&
        absl::SimpleAtoi(f[3], &calls) && f.back() != "total") {
      out.calls[f.back()] += calls;
      out.total += calls;
    }
  }
  return out;
}

absl::StatusOr<SyscallCounts> TraceSyscalls(pid_t pid, absl::Duration duration,
                                            const std::string& workdir) {
  const std::string out = workdir + "/syscalls.txt";
  std::vector<std::string> argv;
  std::string tool;
  if (Exists("/usr/bin/perf")) {
    tool = "perf trace";
    argv = {"/usr/bin/perf", "trace", "-s", "-p", absl::StrCat(pid), "-o", out};
  } else if (Exists("/usr/bin/strace")) {
    tool = "strace";
    argv = {"/usr/bin/strace", "-c", "-f", "-q", "-p", absl::StrCat(pid), "-o", out};
  } else {
    return absl::UnavailableError("neither /usr/bin/perf nor /usr/bin/strace is installed");
  }
  auto tracer = ChildProcess::Spawn(argv, workdir + "/syscall-trace.log");
  if (!tracer.ok()) return tracer.status();
  absl::SleepFor(duration);
  // Both print their summary on SIGINT.
  if (!(*tracer)->SignalAndWait(SIGINT, absl::Seconds(30))) {
    return absl::UnavailableError(absl::StrCat(tool, " did not finish; see ", workdir,
                                               "/syscall-trace.log"));
  }
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  SyscallCounts counts = ParseSyscallSummary(text.str());
  counts.tool = tool;
  if (counts.total == 0) {
    return absl::UnavailableError(absl::StrCat(tool, " counted nothing; see ", out));
  }
  return counts;
}

}  // namespace uptime::bench
