// The whole agent: real checks of a real HTTP target, results streamed to a
// fake coordinator that is killed and restarted mid-way.
#include "agents/agent_server.h"

#include <curl/curl.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agents/testing/fake_coordinator.h"
#include "gtest/gtest.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"
#include "tests/support/ports.h"

namespace uptime::agent {
namespace {

AgentConfig Config(int port) {
  AgentConfig config;
  config.coordinator = absl::StrCat("127.0.0.1:", port);
  config.agent_id = "agent-e2e";
  config.labels = {{"region", "eu"}, {"zone", "b"}};
  config.agent_token = FakeCoordinator::kToken;
  config.shutdown_grace = absl::Seconds(3);
  // (Port 0 would be nicer, but common's ParseHostPort rejects it.)
  config.metrics_listen = absl::StrCat("127.0.0.1:", ::uptime::testing::PickFreePort());
  return config;
}

// GET on the agent's metrics listener: {status, body}.
std::pair<long, std::string> Get(int port, const std::string& path) {
  std::string body;
  long status = 0;
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                   +[](char* p, size_t s, size_t n, void* out) -> size_t {
                     static_cast<std::string*>(out)->append(p, s * n);
                     return s * n;
                   });
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return {status, body};
}

TEST(AgentServerTest, RejectsBadConfigNamingTheFlag) {
  AgentConfig config = Config(1);
  config.agent_id = "";
  auto server = AgentServer::Create(config);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("--agent-id"), std::string::npos);
  config = Config(1);
  config.coordinator = "no-port";
  EXPECT_NE(AgentServer::Create(config).status().message().find("--coordinator"),
            std::string::npos);
  config = Config(1);
  config.loops = -1;
  EXPECT_NE(AgentServer::Create(config).status().message().find("--loops"), std::string::npos);
}

TEST(AgentServerTest, ResultsOfEveryLoopReachTheCoordinatorOnce) {
  // Four loops, monitors spread over all of them: their results meet in the
  // one session, in batches numbered without gaps, each slot once.
  auto target = ::uptime::testing::HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  std::vector<v1::AssignedMonitor> monitors;
  std::set<size_t> loops;
  for (int i = 0; i < 16; ++i) {
    v1::AssignedMonitor m;
    m.set_epoch(1);
    m.mutable_monitor()->set_id(absl::StrCat("mon-", i));
    m.mutable_monitor()->mutable_http()->set_url((*target)->url("/"));
    m.mutable_monitor()->mutable_interval()->set_nanos(300'000'000);
    m.mutable_monitor()->mutable_timeout()->set_nanos(250'000'000);
    monitors.push_back(m);
    loops.insert(CheckEngineGroup::LoopOf(m.monitor().id(), 4));
  }
  ASSERT_EQ(loops.size(), 4u);
  const int port = ::uptime::testing::PickFreePort();
  auto coordinator = FakeCoordinator::Start(port, /*auto_ack=*/true, monitors);
  ASSERT_NE(coordinator, nullptr);
  AgentConfig config = Config(port);
  config.loops = 4;
  auto server = AgentServer::Create(config);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Start().ok());
  ASSERT_EVENTUALLY(coordinator->results_received() >= 16 * 4, absl::Seconds(15));
  (*server)->Shutdown();

  std::map<uint64_t, int> sequences;
  std::map<std::string, int> per_monitor;
  std::set<std::pair<std::string, int64_t>> slots;
  for (const auto& b : coordinator->batches()) {
    ++sequences[b.sequence()];
    for (const auto& r : b.results()) {
      EXPECT_TRUE(r.success()) << r.monitor_id() << ": " << r.error_message();
      ++per_monitor[r.monitor_id()];
      EXPECT_TRUE(slots.emplace(r.monitor_id(), r.scheduled_time_us()).second)
          << r.monitor_id() << ": one slot checked twice";
    }
  }
  ASSERT_FALSE(sequences.empty());
  EXPECT_EQ(sequences.begin()->first, 1u);
  EXPECT_EQ(sequences.rbegin()->first, sequences.size()) << "a batch number is missing";
  EXPECT_EQ(per_monitor.size(), 16u);
  EXPECT_EQ((*server)->session_stats().buffered_results, 0u);
}

TEST(AgentServerTest, NoResultLostAcrossCoordinatorRestart) {
  auto target = ::uptime::testing::HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  v1::AssignedMonitor web;
  web.set_epoch(5);
  web.mutable_monitor()->set_id("web");
  web.mutable_monitor()->mutable_http()->set_url((*target)->url("/"));
  web.mutable_monitor()->mutable_interval()->set_nanos(200'000'000);
  web.mutable_monitor()->mutable_timeout()->set_nanos(150'000'000);
  web.mutable_monitor()->mutable_locations()->set_location_label("zone");

  const int port = ::uptime::testing::PickFreePort();
  auto first = FakeCoordinator::Start(port, /*auto_ack=*/true, {web});
  ASSERT_NE(first, nullptr);
  auto server = AgentServer::Create(Config(port));
  ASSERT_TRUE(server.ok()) << server.status();
  const absl::Status started = (*server)->Start();
  ASSERT_TRUE(started.ok()) << started;
  EXPECT_GT((*server)->metrics_port(), 0);

  ASSERT_EVENTUALLY(first->results_received() >= 3, absl::Seconds(10));
  const v1::CheckResult r = first->batches()[0].results(0);
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(r.monitor_id(), "web");
  EXPECT_EQ(r.agent_id(), "agent-e2e");
  EXPECT_EQ(r.location(), "b");
  EXPECT_EQ(r.epoch(), 5);
  EXPECT_EQ(r.http_status(), 200);

  const int metrics_port = (*server)->metrics_port();
  EXPECT_EQ(Get(metrics_port, "/readyz").first, 200);  // connected
  const auto [status, metrics] = Get(metrics_port, "/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("uptime_agent_checks_total{outcome=\"success\""), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("uptime_agent_monitors 1"), std::string::npos) << metrics;

  first->Kill();
  absl::SleepFor(absl::Milliseconds(700));  // checks go on; results wait
  auto second = FakeCoordinator::Start(port, /*auto_ack=*/true, {web});
  ASSERT_NE(second, nullptr);
  ASSERT_EVENTUALLY(second->results_received() >= 6, absl::Seconds(15));
  (*server)->Shutdown();
  EXPECT_EQ((*server)->session_stats().buffered_results, 0u);

  // Every batch number arrived (some twice: an ack lost in the kill), and
  // every 200 ms slot from the first to the last has a result.
  std::map<uint64_t, v1::ResultBatch> by_sequence;
  for (auto* c : {first.get(), second.get()}) {
    for (const auto& b : c->batches()) by_sequence.emplace(b.sequence(), b);
  }
  ASSERT_FALSE(by_sequence.empty());
  EXPECT_EQ(by_sequence.begin()->first, 1u);
  EXPECT_EQ(by_sequence.rbegin()->first, by_sequence.size());
  EXPECT_EQ(by_sequence.rbegin()->first, (*server)->session_stats().last_sequence);
  std::set<int64_t> slots;
  for (const auto& [seq, b] : by_sequence) {
    for (const auto& result : b.results()) {
      EXPECT_TRUE(slots.insert(result.scheduled_time_us()).second) << "duplicate slot";
    }
  }
  // The first check of a new monitor comes promptly, off its slots; every
  // 200 ms slot after it must have a result.
  ASSERT_GE(slots.size(), 2u);
  slots.erase(slots.begin());
  const int64_t span = *slots.rbegin() - *slots.begin();
  EXPECT_EQ(span % 200'000, 0);
  // A slot the loop itself skipped (machine stalled > 1 interval) or overran
  // is counted by the engine, not lost in transit.
  const CheckRunnerStats engine = (*server)->check_stats();
  EXPECT_EQ(static_cast<int64_t>(slots.size()) + engine.skipped + engine.overruns,
            span / 200'000 + 1)
      << "a slot has no result";
  EXPECT_EQ(second->hellos()[0].incarnation(), first->hellos()[0].incarnation());
}

}  // namespace
}  // namespace uptime::agent
