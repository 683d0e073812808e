// bench/coordinator: sharding and catalog cost at fleet scale, in one process.
//
// 1. Plan: the full bounded-load rendezvous assignment of M monitors over A
//    agents (median of 3 runs), and its spread (max / mean load).
// 2. Churn: the fraction of monitors that move when an agent joins or leaves,
//    against the ideal 1/N.
// 3. Memory: RSS per monitor of the coordinator's in-memory state (catalog,
//    placements, status) with A connected (simulated) agents.
//
// Usage: coordinator_bench [--monitors 1000000] [--agents 100]
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <unistd.h>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/proto_time.h"
#include "bench/common/bench_agents.h"
#include "coordinator/cluster/planner.h"
#include "coordinator/server/pipeline.h"
#include "coordinator/server/stores.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

double RssMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::vector<AgentView> Agents(int n) {
  std::vector<AgentView> agents;
  for (int i = 0; i < n; ++i) {
    agents.push_back({absl::StrCat("agent-", i), {{"region", absl::StrCat("r", i % 5)}}, 100, false});
  }
  return agents;
}

// Placement of each monitor as agent ids, for comparing plans over different
// agent lists.
std::vector<uint64_t> Owners(const ShardPlan& plan, const std::vector<AgentView>& agents) {
  std::vector<uint64_t> owners(plan.assignments.size());
  for (size_t i = 0; i < plan.assignments.size(); ++i) {
    owners[i] = plan.assignments[i].empty() ? 0 : StableHash64(agents[plan.assignments[i][0]].id);
  }
  return owners;
}

}  // namespace

int Main(int argc, char** argv) {
  int monitors = 1'000'000;
  int agents = 100;
  CLI::App app{"coordinator benchmark"};
  app.add_option("--monitors", monitors, "monitors")->capture_default_str();
  app.add_option("--agents", agents, "simulated agents")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  std::vector<ShardMonitor> inputs(monitors);
  for (int i = 0; i < monitors; ++i) inputs[i].id_hash = StableHash64(absl::StrCat("mon-", i));
  std::vector<AgentView> fleet = Agents(agents);

  std::vector<double> times;
  ShardPlan plan;
  for (int run = 0; run < 3; ++run) {
    const absl::Time t0 = absl::Now();
    plan = ComputePlan(inputs, fleet);
    times.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  std::sort(times.begin(), times.end());
  const double mean = static_cast<double>(monitors) / agents;
  const uint32_t max_load = *std::max_element(plan.load.begin(), plan.load.end());
  const uint32_t min_load = *std::min_element(plan.load.begin(), plan.load.end());

  const auto before = Owners(plan, fleet);
  std::vector<AgentView> joined = fleet;
  joined.push_back({"agent-new", {{"region", "r0"}}, 100, false});
  const absl::Time tj = absl::Now();
  const auto after_join = Owners(ComputePlan(inputs, joined), joined);
  const double join_ms = absl::ToDoubleMilliseconds(absl::Now() - tj);
  size_t moved_join = 0;
  for (int i = 0; i < monitors; ++i) moved_join += before[i] != after_join[i];

  std::vector<AgentView> left = fleet;
  const uint64_t leaving = StableHash64(left[agents / 2].id);
  left.erase(left.begin() + agents / 2);
  const auto after_leave = Owners(ComputePlan(inputs, left), left);
  size_t moved_leave = 0, moved_bystanders = 0;
  for (int i = 0; i < monitors; ++i) {
    if (before[i] == after_leave[i]) continue;
    ++moved_leave;
    if (before[i] != leaving) ++moved_bystanders;
  }

  // Memory of the live state with the real catalog, tracker and manager.
  const double rss0 = RssMiB();
  double rss1 = 0, create_s = 0;
  {
    SimulatedClock clock;
    MetricsRegistry metrics;
    Stores stores({}, &clock);  // in memory: the catalog store keeps a copy of each monitor
    Pipeline pipeline(&clock, stores.view(), {}, &metrics);
    Catalog& catalog = pipeline.catalog();
    bench::SimulatedAgents simulated(&pipeline.agents());
    for (int a = 0; a < agents; ++a) {
      simulated.Connect(fleet[a].id, {{"region", fleet[a].labels.at("region")}});
    }
    const absl::Time tc = absl::Now();
    for (int i = 0; i < monitors; ++i) {
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
      (void)catalog.Create(std::move(m), v1::AuditEvent());
    }
    create_s = absl::ToDoubleSeconds(absl::Now() - tc);
    rss1 = RssMiB();
  }

  std::printf("coordinator bench: %d monitors, %d agents\n\n", monitors, agents);
  std::printf("| metric | value | target |\n|---|---|---|\n");
  std::printf("| full assignment (median of 3) | %.0f ms | < 1000 ms |\n", times[1]);
  std::printf("| recompute after a join | %.0f ms | < 1000 ms |\n", join_ms);
  std::printf("| spread max/mean (min/mean) | %.3f (%.3f) | <= 1.25 |\n", max_load / mean, min_load / mean);
  std::printf("| moved on join | %.4f%% (ideal 1/N = %.4f%%, ratio %.2f) | <= 1.2/N |\n",
              100.0 * moved_join / monitors, 100.0 / (agents + 1),
              (static_cast<double>(moved_join) / monitors) * (agents + 1));
  std::printf("| moved on leave | %.4f%% (ideal %.4f%%, bystanders moved %zu) | <= 1.2/N |\n",
              100.0 * moved_leave / monitors, 100.0 / agents, moved_bystanders);
  std::printf("| catalog create rate (with placement) | %.0f monitors/s | |\n", monitors / create_s);
  std::printf("| coordinator memory per monitor | %.0f B | <= 2048 B |\n",
              (rss1 - rss0) * 1024 * 1024 / monitors);
  return 0;
}

}  // namespace uptime::coordinator

int main(int argc, char** argv) { return uptime::coordinator::Main(argc, argv); }
