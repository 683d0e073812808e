// bench/agent: one CheckEngine in-process against a local nginx target, at N
// monitors: checks/s achieved, CPU per check, start-time lateness and RSS.
// Run through bench/agent/run.sh (installs and starts nginx-light).
// Not yet: a stand-in coordinator and the side-by-side blackbox_exporter run.
#include <sys/resource.h>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <vector>
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agents/check_engine.h"
using namespace uptime;
double Cpu() { rusage u; getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec/1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec/1e6; }
// Prints the process's resident set size with a label.
void PrintRss(const char* label) {
  FILE* f = fopen("/proc/self/status", "r");
  if (f == nullptr) return;
  char line[256];
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmRSS", 5)) printf("%s: %s", label, line);
  }
  fclose(f);
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  double interval_s = argc > 2 ? atof(argv[2]) : 1.0;
  int seconds = argc > 3 ? atoi(argv[3]) : 10;
  const char* url = argc > 4 ? argv[4] : "http://127.0.0.1:18080/";
  absl::Mutex mu; std::vector<int64_t> lateness; std::atomic<int64_t> ok{0}, fail{0};
  std::atomic<bool> measuring{false};
  agent::CheckEngineOptions opt; opt.identity.agent_id = "bench"; opt.max_concurrency = 4000;
  auto engine = agent::CheckEngine::Create(opt, [&](std::vector<v1::CheckResult> rs) {
    if (!measuring) return;
    absl::MutexLock l(&mu);
    for (auto& r : rs) { lateness.push_back(r.start_time_us() - r.scheduled_time_us());
      (r.success() ? ok : fail)++; if (!r.success() && fail < 5) fprintf(stderr, "fail: %s\n", r.error_message().c_str()); }
  });
  (*engine)->Start();
  PrintRss("start");
  std::vector<v1::AssignedMonitor> ms(n);
  for (int i = 0; i < n; ++i) { auto* m = ms[i].mutable_monitor(); m->set_id(absl::StrCat("mon-", i));
    m->mutable_http()->set_url(url); m->mutable_http()->set_keyword("healthy");
    int64_t ns = int64_t(interval_s * 1e9); m->mutable_interval()->set_seconds(ns / 1000000000); m->mutable_interval()->set_nanos(ns % 1000000000);
    m->mutable_timeout()->set_seconds(0); m->mutable_timeout()->set_nanos(int32_t(std::min<int64_t>(ns/2, 500000000))); }
  PrintRss("before");
  (void)(*engine)->ReplaceAll(std::move(ms)); ms.clear();
  absl::SleepFor(absl::Seconds(std::min(interval_s + 1, 3.0)));  // warm up: every monitor past its first slot
  measuring = true; double c0 = Cpu(); absl::Time t0 = absl::Now();
  absl::SleepFor(absl::Seconds(seconds));
  measuring = false; double c1 = Cpu(); double wall = absl::ToDoubleSeconds(absl::Now() - t0);
  auto st = (*engine)->stats();
  absl::MutexLock l(&mu);
  std::sort(lateness.begin(), lateness.end());
  auto pct = [&](double p) { return lateness.empty() ? 0 : lateness[size_t(p * (lateness.size() - 1))]; };
  printf("monitors=%d interval=%.2fs checks/s=%.0f ok=%ld fail=%ld cpu=%.2fs (%.0f%% of one core) cpu/check=%.1fus lateness p50=%ldus p99=%ldus max=%ldus overruns=%ld skipped=%ld\n",
    n, interval_s, (ok + fail) / wall, (long)ok, (long)fail, c1 - c0, 100 * (c1 - c0) / wall,
    1e6 * (c1 - c0) / std::max<int64_t>(1, ok + fail), (long)pct(0.5), (long)pct(0.99), (long)pct(1.0), (long)st.overruns, (long)st.skipped);
  malloc_trim(0);
  PrintRss("after");
  (*engine)->Stop();
}
