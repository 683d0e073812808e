// bench/coordinator: sharding and catalog cost at fleet scale, in one process.
//
// 1. Plan: the full bounded-load rendezvous assignment of M monitors over A
//    agents (ComputePlan), and its spread (max / mean load).
// 2. Incremental placement (ShardTable): an agent joining, the same agent
//    leaving, an existing agent leaving and rejoining; the time of each, the
//    monitors moved against the ideal 1/N, and whether the result is
//    identical to a full plan of the same agents.
//    Then the same with a capped plan (selectors concentrating load), where
//    agent changes replay the capped walk over the ideal placement; and a
//    monitor change while capped (drift) and the rebalance that ends it.
// 3. The same join and leave through the AgentManager (placement, epochs,
//    deltas to the agents, the newcomer's full assignment), with M monitors.
// 4. Memory per monitor: the heap and RSS growth of the whole pipeline (as
//    before), then the heap bytes each component holds, measured one at a
//    time: the monitor protos, the in-memory catalog store's copies, the
//    catalog's index and in-memory audit log, the AgentManager, the
//    StatusTracker.
//
// Timings are the median and spread (min..max) of --repeat runs; the machine
// (CPU, cores, load before and after) is printed with them.
//
// Usage: coordinator_bench [--monitors 1000000] [--agents 100] [--repeat 3]
//                          [--memory=false]
#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/common/bench_agents.h"
#include "bench/common/machine_report.h"
#include "common/clock.h"
#include "common/proto_time.h"
#include "coordinator/catalog/audit_record.h"
#include "coordinator/cluster/agent_manager.h"
#include "coordinator/cluster/planner.h"
#include "coordinator/cluster/shard_table.h"
#include "coordinator/health/event_bus.h"
#include "coordinator/health/status_tracker.h"
#include "coordinator/server/pipeline.h"
#include "coordinator/server/stores.h"
#include "spdlog/spdlog.h"
#include "store/memory/memory_catalog_store.h"

namespace uptime::coordinator {
namespace {

using bench::MedianAndSpread;

double RssMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Heap bytes in use (glibc's allocator: small blocks plus mmapped ones).
double HeapBytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<double>(info.uordblks + info.hblkhd);
}

double MillisSince(absl::Time start) { return absl::ToDoubleMilliseconds(absl::Now() - start); }

// This thread's CPU time: what a call costs whatever else the (shared,
// 2-core) machine runs, beside the wall time.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Wall and CPU time of repeated calls.
struct Timings {
  std::vector<double> wall, cpu;

  template <typename F>
  void Time(F&& f) {
    const absl::Time t = absl::Now();
    const double c = ThreadCpuMs();
    f();
    cpu.push_back(ThreadCpuMs() - c);
    wall.push_back(MillisSince(t));
  }
  std::string Str() const {
    return MedianAndSpread(wall, 1) + " ms (CPU " + MedianAndSpread(cpu, 1) + " ms)";
  }
};

std::vector<AgentView> Agents(int n) {
  std::vector<AgentView> agents;
  for (int i = 0; i < n; ++i) {
    agents.push_back({absl::StrCat("agent-", i), {{"region", absl::StrCat("r", i % 5)}}, 100, false});
  }
  return agents;
}

// A typical HTTP monitor, as the catalog would hold it.
v1::Monitor MakeMonitor(int i) {
  v1::Monitor m;
  m.set_name(absl::StrCat("monitor-", i));
  m.mutable_http()->set_url(absl::StrCat("https://service-", i % 1000, ".example.com/health"));
  m.mutable_http()->set_method("GET");
  m.mutable_http()->set_follow_redirects(true);
  ToProto(absl::Seconds(60), m.mutable_interval());
  ToProto(absl::Seconds(10), m.mutable_timeout());
  m.set_failure_threshold(1);
  m.set_recovery_threshold(1);
  m.mutable_locations()->set_location_label("region");
  m.mutable_locations()->set_count(1);
  m.mutable_locations()->set_quorum(1);
  return m;
}

// The agent ids of every monitor's placement, for comparing plans whose
// agent indexes differ.
std::vector<std::vector<std::string>> Named(const ShardTable& table, size_t monitors) {
  std::vector<std::vector<std::string>> out(monitors);
  for (uint32_t k = 0; k < monitors; ++k) {
    for (uint32_t slot : table.assignment(k)) out[k].push_back(table.agent(slot).id);
  }
  return out;
}
std::vector<std::vector<std::string>> Named(const ShardPlan& plan, const std::vector<AgentView>& agents) {
  std::vector<std::vector<std::string>> out(plan.assignments.size());
  for (size_t k = 0; k < plan.assignments.size(); ++k) {
    for (uint32_t a : plan.assignments[k]) out[k].push_back(agents[a].id);
  }
  return out;
}

struct Row {
  std::string metric;
  std::string value;
  std::string target;
};

void PrintRows(const std::vector<Row>& rows) {
  std::printf("| metric | value | target |\n|---|---|---|\n");
  for (const Row& r : rows) std::printf("| %s | %s | %s |\n", r.metric.c_str(), r.value.c_str(), r.target.c_str());
}

// A table holding the plan of `inputs` over `fleet`: an agent joining, the
// same agent leaving, an existing agent leaving and rejoining, `repeat`
// times; the time of each, the monitors moved, and whether the result is
// identical to a full plan of the same agents. Rows are prefixed `name`.
// Returns the table (back at the fleet's plan).
ShardTable TableCase(const std::vector<MonitorShape>& inputs, const std::vector<AgentView>& fleet,
                     const std::string& name, int repeat, std::vector<Row>* rows) {
  const size_t monitors = inputs.size();
  const size_t agents = fleet.size();
  ShardTable table;
  for (const AgentView& a : fleet) table.AddAgent(a, nullptr);
  const absl::Time tl = absl::Now();
  (void)table.LoadMonitors(inputs);
  const double load_ms = MillisSince(tl);
  const bool capped = table.capped();
  Timings join, leave_new, leave, rejoin;
  size_t join_moved = 0, leave_moved = 0, leave_bystanders = 0;
  bool identical_join = true, identical_leave = true;
  // In r0, which the capped case's selectors choose.
  const AgentView newcomer{"agent-new", {{"region", "r0"}}, 100, false};
  // An r0 agent too (index 0 mod 5).
  const AgentView leaver = fleet[(agents / 2) / 5 * 5];
  const ShardTableStats stats_before = table.stats();
  for (int run = 0; run < repeat; ++run) {
    std::vector<PlacementChange> changes;
    uint32_t slot = 0;
    join.Time([&] { slot = table.AddAgent(newcomer, &changes); });
    join_moved = changes.size();
    if (run == 0) {
      std::vector<AgentView> joined = fleet;
      joined.push_back(newcomer);
      identical_join = Named(table, monitors) == Named(ComputePlan(inputs, joined), joined);
    }
    changes.clear();
    leave_new.Time([&] { table.RemoveAgent(slot, &changes); });

    // An agent of the original fleet leaves, then comes back.
    uint32_t leaver_slot = 0;
    while (table.agent(leaver_slot).id != leaver.id) ++leaver_slot;
    changes.clear();
    leave.Time([&] { table.RemoveAgent(leaver_slot, &changes); });
    leave_moved = changes.size();
    leave_bystanders = 0;
    for (const PlacementChange& c : changes) {
      leave_bystanders += std::find(c.before.begin(), c.before.end(), leaver_slot) == c.before.end();
    }
    if (run == 0) {
      std::vector<AgentView> left = fleet;
      left.erase(std::find_if(left.begin(), left.end(), [&](const AgentView& a) { return a.id == leaver.id; }));
      identical_leave = Named(table, monitors) == Named(ComputePlan(inputs, left), left);
    }
    changes.clear();
    rejoin.Time([&] { table.AddAgent(leaver, &changes); });
  }
  const bool back_to_start = Named(table, monitors) == Named(ComputePlan(inputs, fleet), fleet);
  const ShardTableStats stats_after = table.stats();
  const std::string p = name + ": ";
  rows->push_back({p + "full plan inside a table (LoadMonitors)" + (capped ? ", capped" : ""),
                   absl::StrFormat("%.0f ms", load_ms), "< 1000 ms"});
  rows->push_back({p + "agent joins", join.Str(), "<= 100 ms"});
  rows->push_back({p + "that agent leaves", leave_new.Str(), "<= 100 ms"});
  rows->push_back({p + "a fleet agent leaves", leave.Str(), "<= 100 ms"});
  rows->push_back({p + "it rejoins", rejoin.Str(), "<= 100 ms"});
  rows->push_back({p + "full plans during join/leave",
                   absl::StrCat(stats_after.full - stats_before.full, " (incremental ",
                                stats_after.incremental - stats_before.incremental, ", capped replays ",
                                stats_after.replayed - stats_before.replayed, ")"),
                   "0"});
  rows->push_back({p + "identical to a full plan (join, leave, back)",
                   absl::StrCat(identical_join ? "yes" : "NO", ", ", identical_leave ? "yes" : "NO", ", ",
                                back_to_start ? "yes" : "NO"),
                   "yes"});
  rows->push_back({p + "moved on join",
                   absl::StrFormat("%.4f%% (ideal 1/N = %.4f%%, ratio %.2f)", 100.0 * join_moved / monitors,
                                   100.0 / (agents + 1),
                                   (static_cast<double>(join_moved) / monitors) * (agents + 1)),
                   "<= 1.2/N"});
  rows->push_back({p + "moved on leave",
                   absl::StrFormat("%.4f%% (ideal %.4f%%, bystanders moved %zu)", 100.0 * leave_moved / monitors,
                                   100.0 / agents, leave_bystanders),
                   "<= 1.2/N"});
  const ShardTable::Memory tm = table.MemoryUsage();
  rows->push_back({p + "bytes per monitor (arrays + K>1 extras + capped plan and order)",
                   absl::StrFormat("%.1f B (%.1f + %.1f + %.1f)",
                                   static_cast<double>(tm.per_monitor_arrays + tm.extra_agents + tm.capped_plan) /
                                       monitors,
                                   static_cast<double>(tm.per_monitor_arrays) / monitors,
                                   static_cast<double>(tm.extra_agents) / monitors,
                                   static_cast<double>(tm.capped_plan) / monitors),
                   ""});
  return table;
}

}  // namespace

int Main(int argc, char** argv) {
  int monitors = 1'000'000;
  int agents = 100;
  int repeat = 3;
  bool memory = true;
  CLI::App app{"coordinator benchmark"};
  app.add_option("--monitors", monitors, "monitors")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--agents", agents, "simulated agents")->capture_default_str()->check(CLI::Range(2, 100000));
  app.add_option("--repeat", repeat, "runs of each timing (median and spread)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_option("--memory", memory, "measure memory (slow: builds the catalog)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const bench::MachineReport machine = bench::StartMachineReport();
  std::vector<Row> rows;

  std::vector<MonitorShape> inputs(monitors);
  for (int i = 0; i < monitors; ++i) inputs[i].id_hash = StableHash64(absl::StrCat("mon-", i));
  const std::vector<AgentView> fleet = Agents(agents);
  const double fair = static_cast<double>(monitors) / agents;

  // 1. The full plan.
  std::vector<double> plan_ms;
  ShardPlan plan;
  for (int run = 0; run < repeat; ++run) {
    const absl::Time t0 = absl::Now();
    plan = ComputePlan(inputs, fleet);
    plan_ms.push_back(MillisSince(t0));
  }
  const uint32_t max_load = *std::max_element(plan.load.begin(), plan.load.end());
  const uint32_t min_load = *std::min_element(plan.load.begin(), plan.load.end());
  rows.push_back({"full plan (ComputePlan)", MedianAndSpread(plan_ms) + " ms", "< 1000 ms"});
  rows.push_back({"spread max/mean (min/mean)", absl::StrFormat("%.3f (%.3f)", max_load / fair, min_load / fair),
                  "<= 1.25"});

  const AgentView newcomer{"agent-new", {{"region", "r0"}}, 100, false};

  // 2. Incremental placement on a table holding the plan: uniform monitors,
  // then with selectors concentrating load (capped).
  TableCase(inputs, fleet, "table", repeat, &rows);
  plan = ShardPlan();
  {
    // A fifth of the monitors select region r0 (a fifth of the agents), so
    // those agents' ideal load is ~1.8x the mean, above the cap. Placement
    // then depends on order: agent changes replay the capped walk, monitor
    // changes are placed against the loads (drift) until the next agent
    // change or rebalance.
    std::vector<MonitorShape> skewed = inputs;
    for (int i = 0; i < monitors; i += 5) skewed[i].selector = "region=r0";
    std::vector<double> capped_plan_ms;
    for (int run = 0; run < repeat; ++run) {
      const absl::Time t = absl::Now();
      const ShardPlan p = ComputePlan(skewed, fleet);
      capped_plan_ms.push_back(MillisSince(t));
    }
    rows.push_back({"capped (1/5 of monitors select 1/5 of agents): full plan (ComputePlan)",
                    MedianAndSpread(capped_plan_ms) + " ms", "< 1000 ms"});
    ShardTable capped = TableCase(skewed, fleet, "capped", repeat, &rows);
    std::vector<double> drift_us, rebalance_ms;
    for (int run = 0; run < repeat; ++run) {
      std::vector<PlacementChange> changes;
      absl::Time t = absl::Now();
      for (uint32_t k = 0; k < 1000; ++k) {
        (void)capped.SetMonitor(static_cast<uint32_t>(monitors) + k,
                                {.id_hash = StableHash64(absl::StrCat("extra-", run, "-", k))}, &changes);
      }
      drift_us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t) / 1000);
      t = absl::Now();
      capped.Rebalance(&changes);
      rebalance_ms.push_back(MillisSince(t));
      for (uint32_t k = 0; k < 1000; ++k) capped.RemoveMonitor(static_cast<uint32_t>(monitors) + k, &changes);
      capped.Rebalance(&changes);
    }
    rows.push_back({"capped: monitor added (placed against loads, drifts)", MedianAndSpread(drift_us, 1) + " us", ""});
    rows.push_back({"capped: rebalance after 1000 monitors added (replay)", MedianAndSpread(rebalance_ms, 1) + " ms",
                    ""});
  }

  if (memory) {
    // 3. The whole pipeline, as the server holds it, first: the process has
    // freed little so far, so its RSS growth is comparable with older runs.
    const double rss0 = RssMiB();
    const double heap0 = HeapBytes();
    double rss1 = 0, total = 0, create_s = 0;
    {
      SimulatedClock clock;
      MetricsRegistry metrics;
      Stores stores({}, &clock);  // in memory: the catalog store keeps a copy of each monitor
      Pipeline pipeline(&clock, stores.view(), {}, &metrics);
      Catalog& catalog = pipeline.catalog();
      bench::SimulatedAgents simulated(&pipeline.agents());
      for (const AgentView& a : fleet) simulated.Connect(a.id, a.labels);
      const absl::Time tc = absl::Now();
      for (int i = 0; i < monitors; ++i) (void)catalog.Create(MakeMonitor(i), v1::AuditEvent());
      create_s = absl::ToDoubleSeconds(absl::Now() - tc);
      rss1 = RssMiB();
      total = HeapBytes() - heap0;
    }

    // 4. Components one at a time, heap bytes while each is alive.
    // (a) the catalog with the in-memory stores, no listeners.
    double catalog_and_stores = 0;
    {
      SimulatedClock clock;
      Stores stores({}, &clock);
      const double h0 = HeapBytes();
      Catalog catalog(&clock, stores.view().catalog);
      for (int i = 0; i < monitors; ++i) (void)catalog.Create(MakeMonitor(i), v1::AuditEvent());
      catalog_and_stores = HeapBytes() - h0;
    }
    // (b) the protos alone, as the catalog holds them (with timestamps),
    // shared by the catalog and its listeners.
    const double h0 = HeapBytes();
    std::vector<MonitorPtr> protos;
    protos.reserve(monitors);
    for (int i = 0; i < monitors; ++i) {
      v1::Monitor m = MakeMonitor(i);
      m.set_id(NewId("mon"));
      ToProto(absl::Now(), m.mutable_create_time());
      ToProto(absl::Now(), m.mutable_update_time());
      protos.push_back(std::make_shared<const v1::Monitor>(std::move(m)));
    }
    const double proto_bytes = HeapBytes() - h0;

    // What the protos hold by protobuf's own count (no allocator overhead).
    double proto_space = 0;
    for (const MonitorPtr& m : protos) proto_space += static_cast<double>(m->SpaceUsedLong());

    // (c) the in-memory catalog store's copies (PostgreSQL in production),
    // without, then with the audit rows the catalog writes beside them.
    double store_bytes = 0, audit_bytes = 0;
    {
      const double h1 = HeapBytes();
      store::MemoryCatalogStore store;
      for (const MonitorPtr& m : protos) (void)store.InsertMonitor(*m, v1::AuditEvent());
      store_bytes = HeapBytes() - h1;
    }
    {
      // As the pipeline's stores hold them: the audit rows in the in-memory
      // account store.
      SimulatedClock clock;
      const double h1 = HeapBytes();
      Stores stores({}, &clock);
      for (const MonitorPtr& m : protos) {
        v1::AuditEvent audit = AuditRecord(v1::AuditEvent(), "monitor.create", "monitor", m->id());
        audit.set_after_json(AuditJson(*m));
        (void)stores.view().catalog->InsertMonitor(*m, audit);
      }
      audit_bytes = HeapBytes() - h1 - store_bytes;
    }

    // (d) the AgentManager with its agents: index, epochs, table; and its
    // join and leave with M monitors.
    double manager_bytes = 0, manager_upsert_us = 0;
    std::vector<double> manager_join_ms, manager_leave_ms;
    {
      SimulatedClock clock;
      const double h1 = HeapBytes();
      AgentManager manager(&clock, {});
      bench::SimulatedAgents simulated(&manager);
      for (const AgentView& a : fleet) simulated.Connect(a.id, a.labels);
      const absl::Time tu = absl::Now();
      for (const MonitorPtr& m : protos) manager.OnMonitorUpserted(m);
      manager_upsert_us = absl::ToDoubleMicroseconds(absl::Now() - tu) / monitors;
      manager_bytes = HeapBytes() - h1;
      for (int run = 0; run < repeat; ++run) {
        // Placement, epochs, deltas to the losers and the newcomer's full
        // assignment (proto copies included), then the reverse.
        absl::Time t = absl::Now();
        auto link = simulated.Connect(newcomer.id, newcomer.labels);
        manager_join_ms.push_back(MillisSince(t));
        t = absl::Now();
        manager.Unregister(newcomer.id, link.get());
        manager_leave_ms.push_back(MillisSince(t));
      }
    }

    // (e) the StatusTracker's entries.
    double tracker_bytes = 0;
    {
      SimulatedClock clock;
      EventBus events;
      const double h1 = HeapBytes();
      StatusTracker tracker(&clock, &events, nullptr);
      for (const MonitorPtr& m : protos) tracker.OnMonitorUpserted(m);
      tracker_bytes = HeapBytes() - h1;
    }

    const double per = 1.0 / monitors;
    const double catalog_rest = catalog_and_stores - proto_bytes - store_bytes - audit_bytes;
    // Production keeps the catalog in PostgreSQL: the coordinator holds the
    // whole pipeline minus the in-memory store's copies and audit rows.
    const double production = total - store_bytes - audit_bytes;
    const double residual = total - catalog_and_stores - manager_bytes - tracker_bytes;
    rows.push_back({"manager: agent joins (placement, epochs, deltas, full assignment)",
                    MedianAndSpread(manager_join_ms, 1) + " ms", "<= 100 ms"});
    rows.push_back({"manager: agent leaves", MedianAndSpread(manager_leave_ms, 1) + " ms", "<= 100 ms"});
    rows.push_back({"manager: monitor upsert (place + delta)", absl::StrFormat("%.2f us", manager_upsert_us), ""});
    rows.push_back({"catalog create rate (whole pipeline)", absl::StrFormat("%.0f monitors/s", monitors / create_s), ""});
    rows.push_back({"memory: monitor protos (one, shared by catalog and listeners)",
                    absl::StrFormat("%.0f B (protobuf SpaceUsedLong %.0f B, the rest allocator overhead)",
                                    proto_bytes * per, proto_space * per),
                    ""});
    rows.push_back({"memory: AgentManager (index, epochs, table)", absl::StrFormat("%.0f B", manager_bytes * per), ""});
    rows.push_back({"memory: StatusTracker (entries, last result)", absl::StrFormat("%.0f B", tracker_bytes * per), ""});
    rows.push_back({"memory: in-memory catalog store copy (PostgreSQL in production)",
                    absl::StrFormat("%.0f B", store_bytes * per), ""});
    rows.push_back({"memory: in-memory audit rows, one create each (PostgreSQL in production)",
                    absl::StrFormat("%.0f B", audit_bytes * per), ""});
    rows.push_back({"memory: catalog index, id and name maps (by difference)",
                    absl::StrFormat("%.0f B", catalog_rest * per), ""});
    rows.push_back({"memory: rest of the pipeline (by difference)", absl::StrFormat("%.0f B", residual * per), ""});
    rows.push_back({"coordinator heap per monitor (whole pipeline)", absl::StrFormat("%.0f B", total * per),
                    "<= 2048 B"});
    rows.push_back({"  without the in-memory store copy", absl::StrFormat("%.0f B", (total - store_bytes) * per),
                    ""});
    rows.push_back({"  without the store copy and audit rows (production: PostgreSQL)",
                    absl::StrFormat("%.0f B", production * per), "<= 2048 B"});
    rows.push_back({"coordinator RSS per monitor (whole pipeline)",
                    absl::StrFormat("%.0f B", (rss1 - rss0) * 1024 * 1024 * per), "<= 2048 B"});
  }

  std::printf("coordinator bench: %d monitors, %d agents, %d runs per timing\n\n", monitors, agents, repeat);
  PrintRows(rows);
  std::cout << "\n";
  bench::PrintMachineReport(std::cout, machine);
  return 0;
}

}  // namespace uptime::coordinator

int main(int argc, char** argv) { return uptime::coordinator::Main(argc, argv); }
