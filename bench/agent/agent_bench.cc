// bench/agent: the real uptime-agent process against a stand-in coordinator,
// side by side with prometheus-blackbox-exporter, in one run.
//
// Phase 1 starts a local nginx target and the agent (the uptime-agent
// binary, so the coordinator session, result batching and /metrics are all
// paid for), assigns N HTTP monitors (fresh connection, keyword check) or N
// TCP connect monitors (--kind=tcp) at one interval, and measures over a steady window: checks/s achieved vs
// planned, the agent process's CPU per check (/proc/<pid>/stat), start-time
// lateness from the results (start - planned slot), with --syscalls the
// system calls per check by kind (perf trace -s, else strace -c, attached
// for a few seconds after the window; a check = one connect(), as every
// check in this bench makes exactly one connection), and RSS per monitor
// (RSS with N monitors minus RSS connected with none, over N: while
// checking, and once more with no check in flight, the monitor table alone).
// Phase 2 makes blackbox_exporter (http_2xx or tcp_connect) probe the same target at the rate the
// agent achieved (or as fast as it can, if slower) and measures its CPU per
// probe the same way. The phases run one after the other so the two never
// compete for the machine's cores.
//
// --mode=memory instead measures memory per monitor at rest and after
// --seconds of checking (bench/agent/memory_run.h); no blackbox_exporter.
//
// Every process it starts dies with it (PR_SET_PDEATHSIG). Run it through
// bench/agent/run.sh; never run by ctest.
//
// Usage: agent_bench --agent=PATH [--monitors=N] [--seconds=S] [--interval=S]
//          [--kind=http|tcp] [--host=NAME] [--loops=N] [--http-client=loop|curl]
//          [--syscalls=1] [--workdir=DIR] [--nginx=PATH] [--blackbox=PATH] [--max-concurrency=N] [--mode=throughput|memory]
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agents/testing/fake_coordinator.h"
#include "bench/agent/agent_under_test.h"
#include "bench/agent/load_driver.h"
#include "bench/agent/memory_run.h"
#include "bench/agent/processes.h"
#include "bench/agent/syscall_trace.h"
#include "bench/common/machine_report.h"
#include "uptime/v1/agent.pb.h"

namespace uptime::bench {
namespace {

// The benchmark and all it starts (target, agent, blackbox_exporter,
// inheriting it) run above normal priority when root: on a machine shared
// with other work (builds), a starved target measures the neighbours, not
// the subject. Both subjects get the same.
constexpr int kNice = -10;
constexpr char kKeyword[] = "healthy";

struct Flags {
  std::string agent;
  std::string nginx = "/usr/sbin/nginx";
  std::string blackbox = "/usr/bin/prometheus-blackbox-exporter";
  std::string workdir = "/tmp/agent-bench";
  int monitors = 10000;
  int seconds = 10;
  double interval = 1.0;
  int max_concurrency = 4000;
  std::string kind = "http";  // http | tcp
  int loops = -1;             // the agent's --loops; -1: its default (one per core)
  std::string http_client;    // the agent's --http-client (loop | curl); empty: its default
  bool syscalls = false;      // count system calls per check
  // The target's host in monitors: a name (e.g. one from /etc/hosts)
  // measures the name lookup each check makes too.
  std::string host = "127.0.0.1";
  bool memory = false;  // --mode=memory
};

constexpr absl::Duration kTraceTime = absl::Seconds(3);

std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) return std::nullopt;
    const std::string key = arg.substr(2, eq - 2), value = arg.substr(eq + 1);
    bool ok = true;
    if (key == "agent") {
      f.agent = value;
    } else if (key == "nginx") {
      f.nginx = value;
    } else if (key == "blackbox") {
      f.blackbox = value;
    } else if (key == "workdir") {
      f.workdir = value;
    } else if (key == "monitors") {
      ok = absl::SimpleAtoi(value, &f.monitors) && f.monitors > 0;
    } else if (key == "seconds") {
      ok = absl::SimpleAtoi(value, &f.seconds) && f.seconds > 0;
    } else if (key == "interval") {
      ok = absl::SimpleAtod(value, &f.interval) && f.interval >= 0.01;
    } else if (key == "host") {
      f.host = value;
      ok = !value.empty();
    } else if (key == "kind") {
      f.kind = value;
      ok = value == "http" || value == "tcp";
    } else if (key == "http-client") {
      f.http_client = value;
      ok = value == "loop" || value == "curl";
    } else if (key == "loops") {
      ok = absl::SimpleAtoi(value, &f.loops) && f.loops >= 0;
    } else if (key == "syscalls") {
      ok = value == "1" || value == "true";
      f.syscalls = ok;
    } else if (key == "mode") {
      ok = value == "throughput" || value == "memory";
      f.memory = value == "memory";
    } else if (key == "max-concurrency") {
      ok = absl::SimpleAtoi(value, &f.max_concurrency) && f.max_concurrency > 0;
    } else {
      ok = false;
    }
    if (!ok) return std::nullopt;
  }
  if (f.agent.empty()) return std::nullopt;
  return f;
}

bool Executable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && (st.st_mode & S_IXUSR);
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", path));
}

// A single nginx process (no master, no daemon), so the death signal of
// ChildProcess reaches everything it runs.
absl::StatusOr<std::unique_ptr<ChildProcess>> StartTarget(const Flags& f, int port) {
  const std::string& w = f.workdir;
  const std::string conf = absl::StrFormat(R"(daemon off; master_process off;
pid %1$s/nginx.pid; error_log %1$s/nginx-error.log warn;
events { worker_connections 16000; use epoll; multi_accept on; }
http { access_log off; keepalive_timeout 0;
  client_body_temp_path %1$s/tmp; proxy_temp_path %1$s/tmp; fastcgi_temp_path %1$s/tmp;
  uwsgi_temp_path %1$s/tmp; scgi_temp_path %1$s/tmp;
  server { listen 127.0.0.1:%2$d backlog=8192; location / { return 200 "OK %3$s\n"; } } }
)",
                                           w, port, kKeyword);
  mkdir(absl::StrCat(w, "/tmp").c_str(), 0755);
  if (absl::Status s = WriteFile(w + "/nginx.conf", conf); !s.ok()) return s;
  auto nginx =
      ChildProcess::Spawn({f.nginx, "-p", w, "-c", w + "/nginx.conf"}, w + "/nginx.log");
  if (!nginx.ok()) return nginx.status();
  if (!WaitForPort(port, absl::Seconds(10))) {
    return absl::UnavailableError(absl::StrCat("nginx did not listen on ", port, "; see ", w,
                                               "/nginx.log and nginx-error.log"));
  }
  return nginx;
}

AgentLaunch LaunchOf(const Flags& f) {
  return {.agent = f.agent, .workdir = f.workdir, .max_concurrency = f.max_concurrency,
          .http_client = f.http_client, .loops = f.loops};
}

std::vector<v1::AssignedMonitor> MakeMonitors(const Flags& f, const std::string& url, int port,
                                              double interval_s) {
  return bench::MakeMonitors(f.kind, f.monitors, f.host, port, url, kKeyword, interval_s);
}

struct AgentRun {
  double planned_rate = 0;
  double achieved_rate = 0;
  int64_t checks = 0;
  int64_t failures = 0;
  std::string first_error;
  double cpu_s = 0;
  double window_s = 0;
  int64_t p50_us = 0, p99_us = 0, max_us = 0;
  int64_t rss_idle = 0, rss_loaded = 0, rss_table = 0;
  double target_cpu_s = 0;  // nginx, for telling a starved target from a slow subject
  std::optional<SyscallCounts> syscalls;
  std::string syscall_error;
};

absl::StatusOr<AgentRun> RunAgent(const Flags& f, const std::string& target_url, int port,
                                  pid_t target_pid) {
  absl::StatusOr<AgentUnderTest> under_test = StartAgentUnderTest(LaunchOf(f));
  if (!under_test.ok()) return under_test.status();
  agent::FakeCoordinator& coordinator = *under_test->coordinator;
  ChildProcess& subject = *under_test->agent;
  AgentRun run;
  // Connected, no monitors: the baseline for memory per monitor.
  absl::SleepFor(absl::Seconds(1));
  run.rss_idle = ProcessRssBytes(subject.pid());

  const std::vector<v1::AssignedMonitor> monitors = MakeMonitors(f, target_url, port, f.interval);
  if (absl::Status s = coordinator.Assign(monitors); !s.ok()) return s;
  // Warm up: every monitor past its first check and a few periods in.
  absl::SleepFor(absl::Seconds(std::max(3.0, 2 * f.interval + 1)));

  const absl::Time t0 = absl::Now();
  const absl::Time t1 = t0 + absl::Seconds(f.seconds);
  coordinator.SetWindow(t0, t1);
  const double cpu0 = ProcessCpuSeconds(subject.pid());
  const double target0 = ProcessCpuSeconds(target_pid);
  absl::SleepFor(t1 - absl::Now());
  const double cpu1 = ProcessCpuSeconds(subject.pid());
  run.target_cpu_s = ProcessCpuSeconds(target_pid) - target0;
  run.rss_loaded = ProcessRssBytes(subject.pid());
  if (!subject.Alive()) return absl::InternalError("the agent died; see agent.log");
  // Results of the window's last checks arrive up to a batch delay later.
  if (!coordinator.WaitForResultsAfter(t1, absl::Seconds(10))) {
    std::fprintf(stderr, "warning: no result started after the window arrived within 10 s\n");
  }
  agent::FakeCoordinator::WindowResults w = coordinator.TakeWindow();

  // After the window, so the tracer's own cost is not in the CPU figures.
  if (f.syscalls) {
    absl::StatusOr<SyscallCounts> counts = TraceSyscalls(subject.pid(), kTraceTime, f.workdir);
    if (counts.ok()) {
      run.syscalls = *std::move(counts);
    } else {
      run.syscall_error = std::string(counts.status().message());
    }
  }

  // The monitors' own memory, without checks in flight: the same monitors
  // moved to a 1 h interval (known ids: no prompt first check) run next to
  // nothing; once the last checks ended, what RSS grew by is the table.
  if (absl::Status s = coordinator.Assign(MakeMonitors(f, target_url, port, 3600)); !s.ok()) {
    return s;
  }
  absl::SleepFor(absl::Seconds(3));
  run.rss_table = ProcessRssBytes(subject.pid());
  subject.Stop(absl::Seconds(5));

  run.window_s = absl::ToDoubleSeconds(t1 - t0);
  run.planned_rate = f.monitors / f.interval;
  run.achieved_rate = static_cast<double>(w.checks) / run.window_s;
  run.checks = w.checks;
  run.failures = w.failures;
  run.first_error = w.first_error;
  run.cpu_s = cpu1 - cpu0;
  auto pct = [&](double p) {
    return w.lateness_us.empty()
               ? int64_t{0}
               : w.lateness_us[static_cast<size_t>(p * static_cast<double>(w.lateness_us.size() - 1))];
  };
  run.p50_us = pct(0.5);
  run.p99_us = pct(0.99);
  run.max_us = pct(1.0);
  return run;
}

struct BlackboxRun {
  LoadResults load;
  double cpu_s = 0;
  double target_cpu_s = 0;
  int64_t rss = 0;
};

absl::StatusOr<BlackboxRun> RunBlackbox(const Flags& f, const std::string& target_url,
                                        int target_port, pid_t target_pid, double rate) {
  // The same checks as the agent's: fresh connection, 2xx, keyword in body;
  // or a TCP connect.
  const std::string config = absl::StrFormat(R"(modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      fail_if_body_not_matches_regexp: ["%s"]
  tcp_connect:
    prober: tcp
    timeout: 5s
    tcp:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
)",
                                             kKeyword);
  if (absl::Status s = WriteFile(f.workdir + "/blackbox.yml", config); !s.ok()) return s;
  auto port = FreePort();
  if (!port.ok()) return port.status();
  auto exporter = ChildProcess::Spawn(
      {f.blackbox, absl::StrCat("--config.file=", f.workdir, "/blackbox.yml"),
       absl::StrCat("--web.listen-address=127.0.0.1:", *port), "--log.level=warn"},
      f.workdir + "/blackbox.log");
  if (!exporter.ok()) return exporter.status();
  if (!WaitForPort(*port, absl::Seconds(10))) {
    return absl::UnavailableError(absl::StrCat("blackbox_exporter did not listen; see ",
                                               f.workdir, "/blackbox.log"));
  }
  BlackboxRun run;
  double cpu0 = 0, cpu1 = 0, target0 = 0;
  const pid_t pid = (*exporter)->pid();
  LoadOptions load;
  load.url = f.kind == "tcp"
                 ? absl::StrCat("http://127.0.0.1:", *port,
                                "/probe?module=tcp_connect&target=", f.host, ":", target_port)
                 : absl::StrCat("http://127.0.0.1:", *port, "/probe?module=http_2xx&target=",
                                target_url);
  load.rate = rate;
  load.warmup = absl::Seconds(2);
  load.window = absl::Seconds(f.seconds);
  // Enough to keep both cores busy with probes; more would only queue in
  // the exporter (and cost the driver, on the same cores, an O(n) sweep).
  load.max_in_flight = 128;
  load.success_needle = "\nprobe_success 1";
  load.on_window_start = [&] {
    cpu0 = ProcessCpuSeconds(pid);
    target0 = ProcessCpuSeconds(target_pid);
  };
  load.on_window_end = [&] {
    cpu1 = ProcessCpuSeconds(pid);
    run.target_cpu_s = ProcessCpuSeconds(target_pid) - target0;
    run.rss = ProcessRssBytes(pid);
  };
  run.load = RunFixedRateLoad(load);
  run.cpu_s = cpu1 - cpu0;
  if (!(*exporter)->Alive()) return absl::InternalError("blackbox_exporter died; see blackbox.log");
  return run;
}

std::string Us(double seconds, int64_t n) {
  return n > 0 ? absl::StrFormat("%.1f µs", 1e6 * seconds / static_cast<double>(n)) : "n/a";
}
std::string Ms(int64_t us) { return absl::StrFormat("%.2f ms", static_cast<double>(us) / 1000); }

void PrintTable(const Flags& f, const AgentRun& a, const std::optional<BlackboxRun>& b) {
  const double a_cpu_per = a.checks > 0 ? a.cpu_s / static_cast<double>(a.checks) : 0;
  const std::string loops = f.loops > 0 ? absl::StrCat(f.loops) : "one per core";
  std::printf("\n%d %s monitors at %.2f s interval, %d s window, target nginx on loopback (%s), "
              "agent loops: %s, HTTP client: %s\n\n",
              f.monitors, f.kind == "tcp" ? "TCP" : "HTTP", f.interval, f.seconds, f.host.c_str(),
              loops.c_str(), f.http_client.empty() ? "the agent's default (loop)" : f.http_client.c_str());
  std::printf("| | uptime-agent | blackbox_exporter |\n|---|---|---|\n");
  const std::string b_planned =
      b ? absl::StrFormat("%.0f", static_cast<double>(b->load.planned) / b->load.seconds) : "n/a";
  const std::string b_done =
      b ? absl::StrFormat("%.0f", static_cast<double>(b->load.completed) / b->load.seconds) : "n/a";
  std::printf("| checks/s planned | %.0f | %s |\n", a.planned_rate, b_planned.c_str());
  std::printf("| checks/s achieved | %.0f | %s |\n", a.achieved_rate, b_done.c_str());
  std::printf("| failed checks | %ld | %s |\n", static_cast<long>(a.failures),
              b ? absl::StrCat(b->load.completed - b->load.succeeded, " (", b->load.missed,
                               " not sent: exporter saturated)")
                      .c_str()
                : "n/a");
  std::printf("| CPU per check | %s (%.3f CPU-ms) | %s |\n", Us(a.cpu_s, a.checks).c_str(),
              1e3 * a_cpu_per, b ? Us(b->cpu_s, b->load.completed).c_str() : "n/a");
  std::printf("| CPU used (cores) | %.2f | %s |\n", a.cpu_s / a.window_s,
              b ? absl::StrFormat("%.2f", b->cpu_s / b->load.seconds).c_str() : "n/a");
  std::printf("| target (nginx) CPU used (cores) | %.2f | %s |\n", a.target_cpu_s / a.window_s,
              b ? absl::StrFormat("%.2f", b->target_cpu_s / b->load.seconds).c_str() : "n/a");
  std::printf("| lateness p50 / p99 / max | %s / %s / %s | n/a |\n", Ms(a.p50_us).c_str(),
              Ms(a.p99_us).c_str(), Ms(a.max_us).c_str());
  std::printf("| RSS (idle → loaded) | %s → %s | %s |\n", Mib(a.rss_idle).c_str(),
              Mib(a.rss_loaded).c_str(), b ? Mib(b->rss).c_str() : "n/a");
  std::printf("| RSS per monitor, checking (loaded − idle) / N | %.2f KiB | n/a |\n",
              static_cast<double>(a.rss_loaded - a.rss_idle) / 1024.0 / f.monitors);
  std::printf("| RSS per monitor, table only (no check in flight) | %.2f KiB | n/a |\n",
              static_cast<double>(a.rss_table - a.rss_idle) / 1024.0 / f.monitors);
  if (b && b->load.completed > 0 && a.checks > 0) {
    const double ratio =
        a_cpu_per / (b->cpu_s / static_cast<double>(b->load.completed));
    // DESIGN §6: at most 1/10 of blackbox_exporter's CPU per probe.
    std::printf("\nCPU per check, ours / blackbox_exporter: %.3f (target <= 0.1: %s)\n", ratio,
                ratio <= 0.1 ? "met" : "NOT met");
  }
  if (a.syscalls) {
    // A check is one connect(): every check here makes exactly one connection.
    const auto it = a.syscalls->calls.find("connect");
    const int64_t checks = it != a.syscalls->calls.end() ? it->second : 0;
    if (checks > 0) {
      std::printf("\nsystem calls per check (%s, %ld checks, every thread of the agent): %.1f\n",
                  a.syscalls->tool.c_str(), static_cast<long>(checks),
                  static_cast<double>(a.syscalls->total) / static_cast<double>(checks));
      std::vector<std::pair<int64_t, std::string>> by_count;
      for (const auto& [name, n] : a.syscalls->calls) by_count.emplace_back(n, name);
      std::sort(by_count.rbegin(), by_count.rend());
      std::printf("| system call | per check |\n|---|---|\n");
      for (const auto& [n, name] : by_count) {
        const double per = static_cast<double>(n) / static_cast<double>(checks);
        if (per >= 0.01) std::printf("| %s | %.2f |\n", name.c_str(), per);
      }
    }
  } else if (!a.syscall_error.empty()) {
    std::printf("\nsystem calls not counted: %s\n", a.syscall_error.c_str());
  }
  if (!a.first_error.empty()) std::printf("first agent failure: %s\n", a.first_error.c_str());
  if (a.failures * 100 > a.checks) {
    // Seen on a machine busy with other work: once the target's accept
    // queue is long, checks time out at 500 ms and the queue never drains.
    std::printf(
        "WARNING: over 1%% of the agent's checks failed against a healthy target: the machine "
        "or the target was overloaded, so these numbers are not representative; run again on "
        "a quieter machine.\n");
  }
}

int Main(int argc, char** argv) {
  std::optional<Flags> flags = ParseFlags(argc, argv);
  if (!flags) {
    std::fprintf(stderr,
                 "usage: agent_bench --agent=PATH [--monitors=N] [--seconds=S] [--interval=S] "
                 "[--kind=http|tcp] [--host=NAME] [--loops=N] [--http-client=loop|curl] "
                 "[--syscalls=1] [--workdir=DIR] "
                 "[--nginx=PATH] [--blackbox=PATH] [--max-concurrency=N] "
                 "[--mode=throughput|memory]\n");
    return 2;
  }
  const Flags& f = *flags;
  const MachineReport machine = StartMachineReport();
  if (setpriority(PRIO_PROCESS, 0, kNice) != 0) {
    std::fprintf(stderr, "note: running at normal priority (not root)\n");
  }
  mkdir(f.workdir.c_str(), 0755);
  auto port = FreePort();
  if (!port.ok()) {
    std::fprintf(stderr, "%s\n", port.status().ToString().c_str());
    return 1;
  }
  auto target = StartTarget(f, *port);
  if (!target.ok()) {
    std::fprintf(stderr, "target: %s\n", target.status().ToString().c_str());
    return 1;
  }
  const std::string url = absl::StrCat("http://", f.host, ":", *port, "/");

  if (f.memory) {
    MemoryOptions options{.launch = LaunchOf(f), .kind = f.kind, .monitors = f.monitors,
                          .interval = f.interval, .seconds = f.seconds, .host = f.host,
                          .url = url, .keyword = kKeyword, .port = *port};
    absl::StatusOr<MemoryRun> run = RunMemory(options);
    if (!run.ok()) {
      std::fprintf(stderr, "agent: %s\n", run.status().ToString().c_str());
      return 1;
    }
    PrintMemoryTable(options, *run);
    std::fflush(stdout);
    PrintMachineReport(std::cout, machine);
    return 0;
  }
  std::fprintf(stderr, "phase 1: uptime-agent, %d monitors\n", f.monitors);
  absl::StatusOr<AgentRun> agent = RunAgent(f, url, *port, (*target)->pid());
  if (!agent.ok()) {
    std::fprintf(stderr, "agent: %s\n", agent.status().ToString().c_str());
    return 1;
  }
  std::optional<BlackboxRun> blackbox;
  if (Executable(f.blackbox)) {
    const double rate = agent->achieved_rate > 0 ? agent->achieved_rate : agent->planned_rate;
    std::fprintf(stderr, "phase 2: blackbox_exporter at %.0f probes/s\n", rate);
    absl::StatusOr<BlackboxRun> b = RunBlackbox(f, url, *port, (*target)->pid(), rate);
    if (b.ok()) {
      blackbox = *b;
    } else {
      std::fprintf(stderr, "blackbox_exporter: %s\n", b.status().ToString().c_str());
    }
  } else {
    std::fprintf(stderr, "no %s: skipping the side-by-side run\n", f.blackbox.c_str());
  }
  PrintTable(f, *agent, blackbox);
  std::fflush(stdout);
  PrintMachineReport(std::cout, machine);
  return 0;
}

}  // namespace
}  // namespace uptime::bench

int main(int argc, char** argv) { return uptime::bench::Main(argc, argv); }
