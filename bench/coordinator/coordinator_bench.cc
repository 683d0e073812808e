// bench/coordinator: sharding and catalog cost at fleet scale, in one process.
//
// 1. Plan: the full bounded-load rendezvous assignment of M monitors over A
//    agents (ComputePlan), and its spread (max / mean load).
// 2. Incremental placement (ShardTable): an agent joining, the same agent
//    leaving, an existing agent leaving and rejoining; the time of each, the
//    monitors moved against the ideal 1/N, and whether the result is
//    identical to a full plan of the same agents.
//    Then the same with a capped plan (selectors concentrating load), where
//    agent changes fall back to a full plan.
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

  // 2. Incremental placement on a table holding the plan.
  ShardTable table;
  for (const AgentView& a : fleet) table.AddAgent(a, nullptr);
  const absl::Time tl = absl::Now();
  (void)table.LoadMonitors(inputs);
  const double load_ms = MillisSince(tl);
  std::vector<double> join_ms, leave_new_ms, leave_ms, rejoin_ms;
  size_t join_moved = 0, leave_moved = 0, leave_bystanders = 0;
  bool identical_join = true, identical_leave = true;
  const AgentView newcomer{"agent-new", {{"region", "r0"}}, 100, false};
  const AgentView leaver = fleet[agents / 2];
  const ShardTableStats stats_before = table.stats();
  for (int run = 0; run < repeat; ++run) {
    std::vector<PlacementChange> changes;
    absl::Time t = absl::Now();
    const uint32_t slot = table.AddAgent(newcomer, &changes);
    join_ms.push_back(MillisSince(t));
    join_moved = changes.size();
    if (run == 0) {
      std::vector<AgentView> joined = fleet;
      joined.push_back(newcomer);
      identical_join = Named(table, monitors) == Named(ComputePlan(inputs, joined), joined);
    }
    changes.clear();
    t = absl::Now();
    table.RemoveAgent(slot, &changes);
    leave_new_ms.push_back(MillisSince(t));

    // An agent of the original fleet leaves, then comes back.
    uint32_t leaver_slot = 0;
    while (table.agent(leaver_slot).id != leaver.id) ++leaver_slot;
    changes.clear();
    t = absl::Now();
    table.RemoveAgent(leaver_slot, &changes);
    leave_ms.push_back(MillisSince(t));
    leave_moved = changes.size();
    leave_bystanders = 0;
    for (const PlacementChange& c : changes) {
      leave_bystanders += std::find(c.before.begin(), c.before.end(), leaver_slot) == c.before.end();
    }
    if (run == 0) {
      std::vector<AgentView> left = fleet;
      left.erase(left.begin() + agents / 2);
      identical_leave = Named(table, monitors) == Named(ComputePlan(inputs, left), left);
    }
    t = absl::Now();
    table.AddAgent(leaver, nullptr);
    rejoin_ms.push_back(MillisSince(t));
  }
  const bool back_to_start = Named(table, monitors) == Named(plan, fleet);
  const ShardTableStats stats_after = table.stats();
  rows.push_back({"full plan inside a table (LoadMonitors)", absl::StrFormat("%.0f ms", load_ms), "< 1000 ms"});
  rows.push_back({"table: agent joins", MedianAndSpread(join_ms, 1) + " ms", "<= 100 ms"});
  rows.push_back({"table: that agent leaves", MedianAndSpread(leave_new_ms, 1) + " ms", "<= 100 ms"});
  rows.push_back({"table: a fleet agent leaves", MedianAndSpread(leave_ms, 1) + " ms", "<= 100 ms"});
  rows.push_back({"table: it rejoins", MedianAndSpread(rejoin_ms, 1) + " ms", "<= 100 ms"});
  rows.push_back({"table: full plans during join/leave",
                  absl::StrCat(stats_after.full - stats_before.full, " (incremental ",
                               stats_after.incremental - stats_before.incremental, ")"),
                  "0"});
  rows.push_back({"identical to a full plan (join, leave, back)",
                  absl::StrCat(identical_join ? "yes" : "NO", ", ", identical_leave ? "yes" : "NO", ", ",
                               back_to_start ? "yes" : "NO"),
                  "yes"});
  rows.push_back({"moved on join",
                  absl::StrFormat("%.4f%% (ideal 1/N = %.4f%%, ratio %.2f)", 100.0 * join_moved / monitors,
                                  100.0 / (agents + 1),
                                  (static_cast<double>(join_moved) / monitors) * (agents + 1)),
                  "<= 1.2/N"});
  rows.push_back({"moved on leave",
                  absl::StrFormat("%.4f%% (ideal %.4f%%, bystanders moved %zu)", 100.0 * leave_moved / monitors,
                                  100.0 / agents, leave_bystanders),
                  "<= 1.2/N"});
  const ShardTable::Memory tm = table.MemoryUsage();
  rows.push_back({"table bytes per monitor (arrays + K>1 extras + capped copy)",
                  absl::StrFormat("%.1f B (%.1f + %.1f + %.1f)",
                                  static_cast<double>(tm.per_monitor_arrays + tm.extra_agents + tm.capped_plan) /
                                      monitors,
                                  static_cast<double>(tm.per_monitor_arrays) / monitors,
                                  static_cast<double>(tm.extra_agents) / monitors,
                                  static_cast<double>(tm.capped_plan) / monitors),
                  ""});
  table = ShardTable();
  plan = ShardPlan();

  // 2b. A capped plan: a fifth of the monitors select region r0 (a fifth of
  // the agents), so those agents' ideal load is ~1.8x the mean, above the
  // cap. Placement then depends on order: agent changes cost a full plan,
  // monitor changes are placed against the loads (drift) until a rebalance.
  {
    std::vector<MonitorShape> skewed = inputs;
    for (int i = 0; i < monitors; i += 5) skewed[i].selector = "region=r0";
    std::vector<double> capped_plan_ms, capped_join_ms, drift_us;
    ShardTable capped;
    for (const AgentView& a : fleet) capped.AddAgent(a, nullptr);
    (void)capped.LoadMonitors(skewed);
    for (int run = 0; run < repeat; ++run) {
      absl::Time t = absl::Now();
      const ShardPlan p = ComputePlan(skewed, fleet);
      capped_plan_ms.push_back(MillisSince(t));
      std::vector<PlacementChange> changes;
      t = absl::Now();
      const uint32_t slot = capped.AddAgent(newcomer, &changes);
      capped_join_ms.push_back(MillisSince(t));
      capped.RemoveAgent(slot, &changes);
      t = absl::Now();
      for (uint32_t k = 0; k < 1000; ++k) {
        (void)capped.SetMonitor(static_cast<uint32_t>(monitors) + k,
                                {.id_hash = StableHash64(absl::StrCat("extra-", run, "-", k))}, &changes);
      }
      drift_us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t) / 1000);
      for (uint32_t k = 0; k < 1000; ++k) capped.RemoveMonitor(static_cast<uint32_t>(monitors) + k, &changes);
    }
    rows.push_back({"capped (1/5 of monitors on 1/5 of agents): full plan", MedianAndSpread(capped_plan_ms) + " ms",
                    "< 1000 ms"});
    rows.push_back({"capped: agent joins (a full plan)", MedianAndSpread(capped_join_ms) + " ms", ""});
    rows.push_back({"capped: monitor added (placed against loads, drifts)", MedianAndSpread(drift_us, 1) + " us", ""});
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

    // (c) the in-memory catalog store's copies (PostgreSQL in production).
    double store_bytes = 0;
    {
      const double h1 = HeapBytes();
      store::MemoryCatalogStore store;
      for (const MonitorPtr& m : protos) (void)store.InsertMonitor(*m, v1::AuditEvent());
      store_bytes = HeapBytes() - h1;
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
    const double catalog_rest = catalog_and_stores - proto_bytes - store_bytes;
    const double residual = total - catalog_and_stores - manager_bytes - tracker_bytes;
    rows.push_back({"manager: agent joins (placement, epochs, deltas, full assignment)",
                    MedianAndSpread(manager_join_ms, 1) + " ms", "<= 100 ms"});
    rows.push_back({"manager: agent leaves", MedianAndSpread(manager_leave_ms, 1) + " ms", "<= 100 ms"});
    rows.push_back({"manager: monitor upsert (place + delta)", absl::StrFormat("%.2f us", manager_upsert_us), ""});
    rows.push_back({"catalog create rate (whole pipeline)", absl::StrFormat("%.0f monitors/s", monitors / create_s), ""});
    rows.push_back({"memory: monitor protos (one, shared by catalog and listeners)",
                    absl::StrFormat("%.0f B", proto_bytes * per), ""});
    rows.push_back({"memory: AgentManager (index, epochs, table)", absl::StrFormat("%.0f B", manager_bytes * per), ""});
    rows.push_back({"memory: StatusTracker (entries, last result)", absl::StrFormat("%.0f B", tracker_bytes * per), ""});
    rows.push_back({"memory: in-memory catalog store copy (PostgreSQL in production)",
                    absl::StrFormat("%.0f B", store_bytes * per), ""});
    rows.push_back({"memory: catalog index + in-memory audit log (by difference)",
                    absl::StrFormat("%.0f B", catalog_rest * per), ""});
    rows.push_back({"memory: rest of the pipeline (by difference)", absl::StrFormat("%.0f B", residual * per), ""});
    rows.push_back({"coordinator heap per monitor (whole pipeline)", absl::StrFormat("%.0f B", total * per),
                    "<= 2048 B"});
    rows.push_back({"  without the in-memory store copy", absl::StrFormat("%.0f B", (total - store_bytes) * per),
                    "<= 2048 B"});
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
