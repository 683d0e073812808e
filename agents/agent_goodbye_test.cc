// Graceful shutdown with Goodbye: the agent keeps checking until the
// coordinator has moved its monitors away, then flushes and leaves.
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agents/agent_server.h"
#include "agents/testing/fake_coordinator.h"
#include "gtest/gtest.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"
#include "tests/support/ports.h"

namespace uptime::agent {
namespace {

AgentConfig Config(int port, absl::Duration grace) {
  AgentConfig config;
  config.coordinator = absl::StrCat("127.0.0.1:", port);
  config.agent_id = "agent-bye";
  config.agent_token = FakeCoordinator::kToken;
  config.shutdown_grace = grace;
  config.metrics_listen = "";
  return config;
}

v1::AssignedMonitor Web(const std::string& url) {
  v1::AssignedMonitor web;
  web.set_epoch(1);
  web.mutable_monitor()->set_id("web");
  web.mutable_monitor()->mutable_http()->set_url(url);
  web.mutable_monitor()->mutable_interval()->set_nanos(100'000'000);
  return web;
}

int64_t LastStartUs(FakeCoordinator& c) {
  int64_t last = 0;
  for (const auto& b : c.batches()) {
    for (const auto& r : b.results()) last = std::max(last, r.start_time_us());
  }
  return last;
}

TEST(AgentGoodbyeTest, ChecksUntilRemovalsThenFlushesAndLeaves) {
  auto target = ::uptime::testing::HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  const int port = ::uptime::testing::PickFreePort();
  auto coordinator = FakeCoordinator::Start(port, /*auto_ack=*/true, {Web((*target)->url("/"))});
  ASSERT_NE(coordinator, nullptr);
  // Moving the monitors takes 500 ms: five more 100 ms slots to check.
  coordinator->set_answer_goodbye(true, absl::Milliseconds(500));
  auto server = AgentServer::Create(Config(port, absl::Seconds(5)));
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Start().ok());
  ASSERT_EVENTUALLY(coordinator->results_received() >= 2, absl::Seconds(10));

  const absl::Time begin = absl::Now();
  (*server)->Shutdown();
  const absl::Duration took = absl::Now() - begin;

  const auto goodbyes = coordinator->goodbyes();
  ASSERT_EQ(goodbyes.size(), 1u);
  EXPECT_NE(goodbyes[0].first.reason().find("shutting down"), std::string::npos);
  // Checks went on after the Goodbye, until the removals.
  EXPECT_GE(LastStartUs(*coordinator), absl::ToUnixMicros(goodbyes[0].second) + 300'000);
  EXPECT_GE(took, absl::Milliseconds(450));
  EXPECT_LT(took, absl::Seconds(4)) << "waited for the grace instead of the Drain";
  // Flushed and acked, and no reconnect (a second Hello) after the Drain.
  EXPECT_EQ((*server)->session_stats().buffered_results, 0u);
  EXPECT_EQ((*server)->check_stats().in_flight, 0);
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(coordinator->hellos().size(), 1u);
}

TEST(AgentGoodbyeTest, SilentCoordinatorCostsAtMostTheGrace) {
  auto target = ::uptime::testing::HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  const int port = ::uptime::testing::PickFreePort();
  auto coordinator = FakeCoordinator::Start(port, /*auto_ack=*/true, {Web((*target)->url("/"))});
  ASSERT_NE(coordinator, nullptr);
  coordinator->set_answer_goodbye(false);
  auto server = AgentServer::Create(Config(port, absl::Milliseconds(700)));
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Start().ok());
  ASSERT_EVENTUALLY(coordinator->results_received() >= 2, absl::Seconds(10));

  const absl::Time begin = absl::Now();
  (*server)->Shutdown();
  const absl::Duration took = absl::Now() - begin;
  EXPECT_EQ(coordinator->goodbyes().size(), 1u);
  EXPECT_GE(took, absl::Milliseconds(650));
  EXPECT_LT(took, absl::Milliseconds(2000));
  EXPECT_EQ((*server)->session_stats().buffered_results, 0u);
}

TEST(AgentGoodbyeTest, DisconnectedAgentSkipsGoodbye) {
  // Nothing listens: the agent never connected, so there is nobody to ask.
  auto server = AgentServer::Create(Config(::uptime::testing::PickFreePort(), absl::Seconds(5)));
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Start().ok());
  const absl::Time begin = absl::Now();
  (*server)->Shutdown();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(1));
}

}  // namespace
}  // namespace uptime::agent
