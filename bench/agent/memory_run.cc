#include "bench/agent/memory_run.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agents/engine/check_engine_group.h"
#include "bench/agent/table_memory.h"

namespace uptime::bench {
namespace {

// jemalloc's dirty_decay_ms (10 s by default) and a margin: pages freed
// before it are still resident.
constexpr absl::Duration kSettle = absl::Seconds(12);
constexpr double kIdleInterval = 3600;

MemorySample Sample(const AgentUnderTest& a) {
  return {ProcessRssBytes(a.agent->pid()), ScrapeAgentGauges(a.metrics_port)};
}

std::string KiB(double bytes) { return absl::StrFormat("%.0f KiB", bytes / 1024); }

}  // namespace

std::string Mib(int64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
}

absl::StatusOr<MemoryRun> RunMemory(const MemoryOptions& o) {
  absl::StatusOr<AgentUnderTest> a = StartAgentUnderTest(o.launch);
  if (!a.ok()) return a.status();
  MemoryRun run;
  const int loops =
      o.launch.loops > 0 ? o.launch.loops : agent::CheckEngineGroup::DefaultLoops();
  run.table = MeasureTableMemory(
      MakeMonitors(o.kind, o.monitors, o.host, o.port, o.url, o.keyword, kIdleInterval), loops);
  absl::SleepFor(absl::Seconds(1));
  run.base = Sample(*a);

  if (absl::Status s = a->coordinator->Assign(MakeMonitors(o.kind, o.monitors, o.host, o.port,
                                                           o.url, o.keyword, kIdleInterval));
      !s.ok()) {
    return s;
  }
  // The prompt first checks of a long interval trickle (StartPacer: twice
  // the planned rate, a few per second here), so this is the table with a
  // handful of checks in flight at most.
  absl::SleepFor(kSettle);
  run.idle = Sample(*a);

  if (absl::Status s = a->coordinator->Assign(MakeMonitors(o.kind, o.monitors, o.host, o.port,
                                                           o.url, o.keyword, o.interval));
      !s.ok()) {
    return s;
  }
  const absl::Time t0 = absl::Now();
  const absl::Time t1 = t0 + absl::Seconds(o.seconds);
  a->coordinator->SetWindow(t0, t1);
  while (absl::Now() < t1) {
    absl::SleepFor(std::min(absl::Seconds(1), t1 - absl::Now()));
    run.peak_rss = std::max(run.peak_rss, ProcessRssBytes(a->agent->pid()));
  }
  run.checking = Sample(*a);
  run.peak_rss = std::max(run.peak_rss, run.checking.rss);
  if (!a->agent->Alive()) return absl::InternalError("the agent died; see agent.log");
  a->coordinator->WaitForResultsAfter(t1, absl::Seconds(10));
  agent::FakeCoordinator::WindowResults w = a->coordinator->TakeWindow();
  run.checks = w.checks;
  run.failures = w.failures;
  run.first_error = w.first_error;
  a->agent->Stop(absl::Seconds(5));
  return run;
}

void PrintMemoryTable(const MemoryOptions& o, const MemoryRun& r) {
  const double n = o.monitors;
  std::printf("\nagent memory, %d %s monitors: idle at %.0f s interval, then checking at %.2f s "
              "for %d s (%.0f checks/s achieved, %ld failed)\n\n",
              o.monitors, o.kind == "tcp" ? "TCP" : "HTTP", kIdleInterval, o.interval, o.seconds,
              static_cast<double>(r.checks) / o.seconds, static_cast<long>(r.failures));
  std::printf("| | base (no monitors) | idle | checking |\n|---|---|---|---|\n");
  std::printf("| RSS | %s | %s | %s (peak %s) |\n", Mib(r.base.rss).c_str(),
              Mib(r.idle.rss).c_str(), Mib(r.checking.rss).c_str(), Mib(r.peak_rss).c_str());
  auto per = [&](int64_t now, int64_t base) {
    return absl::StrFormat("%.0f B", static_cast<double>(now - base) / n);
  };
  std::printf("| RSS per monitor (over base) | | %s | %s (peak %s) |\n",
              per(r.idle.rss, r.base.rss).c_str(), per(r.checking.rss, r.base.rss).c_str(),
              per(r.peak_rss, r.base.rss).c_str());
  auto gauge = [](const MemorySample& s, const char* name) {
    auto it = s.heap.find(name);
    return it == s.heap.end() ? std::string("?") : absl::StrCat(it->second);
  };
  for (const char* name : {"uptime_agent_checks_in_flight", "uptime_agent_buffered_results"}) {
    std::printf("| %s | %s | %s | %s |\n", name, gauge(r.base, name).c_str(),
                gauge(r.idle, name).c_str(), gauge(r.checking, name).c_str());
  }
  if (!r.base.heap.contains("allocated") || !r.idle.heap.contains("allocated") ||
      !r.checking.heap.contains("allocated")) {
    std::printf("\n(no jemalloc counters: the agent does not run on jemalloc)\n");
  } else {
    auto heap = [](const MemorySample& s, const char* kind) {
      auto it = s.heap.find(kind);
      return it == s.heap.end() ? int64_t{0} : it->second;
    };
    auto row = [&](const char* what, auto value) {
      std::printf("| %s | %s | %s | %s |\n", what, KiB(value(r.base)).c_str(),
                  per(value(r.idle), value(r.base)).c_str(),
                  per(value(r.checking), value(r.base)).c_str());
    };
    std::printf("| per monitor, of which: | | | |\n");
    row("heap: live data (jemalloc allocated)",
        [&](const MemorySample& s) { return heap(s, "allocated"); });
    row("heap: allocator overhead (resident - allocated)",
        [&](const MemorySample& s) { return heap(s, "resident") - heap(s, "allocated"); });
    row("outside the heap (RSS - jemalloc resident)",
        [&](const MemorySample& s) { return s.rss - heap(s, "resident"); });
    row("(allocator metadata, in overhead)",
        [&](const MemorySample& s) { return heap(s, "metadata"); });
  }
  std::printf("\nthe monitor table by structure (built in the bench's process, glibc malloc):\n\n"
              "| structure | bytes per monitor |\n|---|---|\n");
  for (const auto& [what, bytes] : r.table) std::printf("| %s | %.0f |\n", what.c_str(), bytes);
  if (!r.first_error.empty()) std::printf("first failure: %s\n", r.first_error.c_str());
  std::printf("\nThe base column is absolute; the others are (value - base) / %d.\n", o.monitors);
}

}  // namespace uptime::bench
