// bench/agent: the uptime-agent process under test, connected to a
// stand-in coordinator, and the monitors the benchmarks assign it.
#ifndef UPTIME_BENCH_AGENT_AGENT_UNDER_TEST_H_
#define UPTIME_BENCH_AGENT_AGENT_UNDER_TEST_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/testing/fake_coordinator.h"
#include "bench/agent/processes.h"
#include "uptime/v1/agent.pb.h"

namespace uptime::bench {

struct AgentLaunch {
  std::string agent;    // path of the uptime-agent binary
  std::string workdir;  // agent.log goes here
  int max_concurrency = 4000;
  std::string http_client;  // the agent's --http-client; empty: its default
  int loops = -1;  // the agent's --loops; -1: its default (one per core)
};

struct AgentUnderTest {
  std::unique_ptr<agent::FakeCoordinator> coordinator;
  std::unique_ptr<ChildProcess> agent;
  int metrics_port = 0;
};

// Starts the stand-in coordinator and the agent, and waits for the agent's
// Hello. The coordinator keeps no results (memory stays flat at 20k
// results/s) and heartbeats at the real coordinator's pace, so it costs
// little next to the agent it measures.
absl::StatusOr<AgentUnderTest> StartAgentUnderTest(const AgentLaunch& launch);

// `count` monitors at `interval_s`: HTTP GETs of `url` with a keyword check
// (`kind` "http") or TCP connects to host:port ("tcp"). Ids are shaped like
// the coordinator's ("mon-" + 16 hex digits), so per-monitor memory includes
// ids of realistic length.
std::vector<v1::AssignedMonitor> MakeMonitors(const std::string& kind, int count,
                                              const std::string& host, int port,
                                              const std::string& url, const std::string& keyword,
                                              double interval_s);

// The agent's uptime_agent_heap_bytes gauges by kind (allocated, active,
// metadata, resident, retained; none when it does not run on jemalloc),
// and its uptime_agent_checks_in_flight and uptime_agent_buffered_results,
// read from its /metrics; empty if it cannot be reached.
std::map<std::string, int64_t> ScrapeAgentGauges(int metrics_port);

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_AGENT_AGENT_UNDER_TEST_H_
