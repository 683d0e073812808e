// CoordinatorSession against an in-test fake AgentService (a real gRPC
// server on loopback) and a fake CheckRunner.
#include "agents/session/coordinator_session.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agents/testing/fake_coordinator.h"
#include "gtest/gtest.h"
#include "tests/support/eventually.h"
#include "tests/support/ports.h"

namespace uptime::agent {
namespace {

constexpr const char* kToken = FakeCoordinator::kToken;

class FakeRunner : public CheckRunner {
 public:
  absl::Status ReplaceAll(std::vector<v1::AssignedMonitor> monitors) override {
    absl::MutexLock lock(&mu_);
    calls_.push_back(absl::StrCat("replace:", monitors.size()));
    return absl::OkStatus();
  }
  absl::Status Apply(std::vector<v1::AssignedMonitor> upserts,
                     std::vector<std::string> removed) override {
    absl::MutexLock lock(&mu_);
    calls_.push_back(absl::StrCat("apply:+", upserts.size(), "-", removed.size()));
    return absl::OkStatus();
  }
  bool WaitIdle(absl::Duration) override { return true; }
  CheckRunnerStats stats() const override {
    CheckRunnerStats s;
    s.in_flight = 3;
    s.overruns = 2;
    return s;
  }
  std::vector<std::string> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
};

std::vector<v1::CheckResult> Results(int n, int first) {
  std::vector<v1::CheckResult> rs(n);
  for (int i = 0; i < n; ++i) rs[i].set_monitor_id(absl::StrCat("m", first + i));
  return rs;
}

class SessionTest : public ::testing::Test {
 protected:
  std::unique_ptr<CoordinatorSession> NewSession(int port) {
    SessionOptions options;
    options.coordinator = absl::StrCat("127.0.0.1:", port);
    options.credentials = grpc::InsecureChannelCredentials();
    options.token = kToken;
    options.identity = {"agent-7", {{"region", "eu"}}};
    options.capacity = 50;
    options.incarnation = NewIncarnation();
    options.buffer.batch_size = 3;
    options.buffer.batch_delay = absl::Milliseconds(20);
    return std::make_unique<CoordinatorSession>(options);
  }

  const int port_ = ::uptime::testing::PickFreePort();
  FakeRunner runner_;
};

TEST_F(SessionTest, HelloAssignmentBatchesAndHeartbeats) {
  auto coordinator = FakeCoordinator::Start(port_, /*auto_ack=*/true);
  ASSERT_NE(coordinator, nullptr);
  auto session = NewSession(port_);
  session->Start(&runner_);
  ASSERT_EVENTUALLY(coordinator->hellos().size() == 1, absl::Seconds(5));
  const v1::Hello hello = coordinator->hellos()[0];
  EXPECT_EQ(hello.agent_id(), "agent-7");
  EXPECT_EQ(hello.incarnation().size(), 16u);
  EXPECT_EQ(hello.labels().at("region"), "eu");
  EXPECT_EQ(hello.capacity(), 50);
  EXPECT_FALSE(hello.version().empty());
  EXPECT_EQ(hello.protocol_version(), v1::PROTOCOL_VERSION_1);
  ASSERT_EVENTUALLY(runner_.calls() == std::vector<std::string>{"replace:1"}, absl::Seconds(5));
  ASSERT_EVENTUALLY(session->stats().connected, absl::Seconds(5));

  // 4 results: one full batch of 3 at once, the last one after batch_delay.
  session->OnResults(Results(4, 0));
  ASSERT_EVENTUALLY(coordinator->batches().size() == 2, absl::Seconds(5));
  auto batches = coordinator->batches();
  EXPECT_EQ(batches[0].sequence(), 1u);
  EXPECT_EQ(batches[0].results_size(), 3);
  EXPECT_EQ(batches[1].sequence(), 2u);
  EXPECT_EQ(batches[1].results(0).monitor_id(), "m3");
  ASSERT_EVENTUALLY(session->stats().acked_sequence == 2, absl::Seconds(5));
  EXPECT_EQ(session->stats().unacked_batches, 0u);

  // The assignment set a 100 ms heartbeat.
  ASSERT_EVENTUALLY(coordinator->heartbeats().size() >= 3, absl::Seconds(5));
  EXPECT_EQ(coordinator->heartbeats().back().in_flight(), 3);
  EXPECT_EQ(coordinator->heartbeats().back().overruns(), 2);

  v1::CoordinatorMessage delta;
  delta.mutable_assignment()->add_upserts()->mutable_monitor()->set_id("m2");
  delta.mutable_assignment()->add_removed_ids("m1");
  ASSERT_TRUE(coordinator->Send(delta));
  ASSERT_EVENTUALLY(runner_.calls().size() == 2, absl::Seconds(5));
  EXPECT_EQ(runner_.calls()[1], "apply:+1-1");
  session->Shutdown(absl::Seconds(2));
}

TEST_F(SessionTest, UnackedBatchesAreResentAfterCoordinatorRestart) {
  auto first = FakeCoordinator::Start(port_, /*auto_ack=*/false);
  ASSERT_NE(first, nullptr);
  auto session = NewSession(port_);
  session->Start(&runner_);
  ASSERT_EVENTUALLY(session->stats().connected, absl::Seconds(5));
  session->OnResults(Results(6, 0));  // batches 1 and 2
  ASSERT_EVENTUALLY(first->batches().size() == 2, absl::Seconds(5));
  v1::CoordinatorMessage ack;
  ack.mutable_ack()->set_sequence(1);
  ASSERT_TRUE(first->Send(ack));
  ASSERT_EVENTUALLY(session->stats().acked_sequence == 1, absl::Seconds(5));
  const std::string incarnation = first->hellos()[0].incarnation();

  first->Kill();
  ASSERT_EVENTUALLY(!session->stats().connected, absl::Seconds(5));
  session->OnResults(Results(3, 6));  // batch 3, while disconnected

  auto second = FakeCoordinator::Start(port_, /*auto_ack=*/true);
  ASSERT_NE(second, nullptr);
  ASSERT_EVENTUALLY(session->stats().acked_sequence == 3, absl::Seconds(15));
  auto hellos = second->hellos();
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(hellos[0].incarnation(), incarnation);
  auto batches = second->batches();
  ASSERT_EQ(batches.size(), 2u);  // 2 resent with its number, then 3; not 1
  EXPECT_EQ(batches[0].sequence(), 2u);
  EXPECT_EQ(batches[0].results(0).monitor_id(), "m3");
  EXPECT_EQ(batches[1].sequence(), 3u);
  EXPECT_EQ(batches[1].results(2).monitor_id(), "m8");
  EXPECT_EQ(session->stats().buffered_results, 0u);
  EXPECT_EQ(session->stats().dropped_results, 0);
  session->Shutdown(absl::Seconds(1));
}

TEST_F(SessionTest, DrainStopsChecksFlushesAndReconnects) {
  auto coordinator = FakeCoordinator::Start(port_, /*auto_ack=*/true);
  ASSERT_NE(coordinator, nullptr);
  auto session = NewSession(port_);
  session->Start(&runner_);
  ASSERT_EVENTUALLY(session->stats().connected, absl::Seconds(5));
  session->OnResults(Results(1, 0));  // pending, not yet a batch
  v1::CoordinatorMessage drain;
  drain.mutable_drain()->set_reason("maintenance");
  ASSERT_TRUE(coordinator->Send(drain));
  ASSERT_EVENTUALLY(coordinator->hellos().size() == 2, absl::Seconds(5));
  auto calls = runner_.calls();
  ASSERT_GE(calls.size(), 3u);
  EXPECT_EQ(calls[1], "replace:0");  // checks stopped on Drain
  EXPECT_EQ(calls[2], "replace:1");  // full assignment on the new stream
  ASSERT_EQ(coordinator->batches().size(), 1u);
  EXPECT_EQ(coordinator->batches()[0].results_size(), 1);
  session->Shutdown(absl::Seconds(1));
}

TEST_F(SessionTest, ShutdownFlushesAndWaitsForAcks) {
  auto coordinator = FakeCoordinator::Start(port_, /*auto_ack=*/true);
  ASSERT_NE(coordinator, nullptr);
  auto session = NewSession(port_);
  session->Start(&runner_);
  ASSERT_EVENTUALLY(session->stats().connected, absl::Seconds(5));
  session->OnResults(Results(2, 0));
  session->Shutdown(absl::Seconds(3));
  EXPECT_EQ(session->stats().buffered_results, 0u);
  ASSERT_EQ(coordinator->batches().size(), 1u);
  EXPECT_EQ(runner_.calls().back(), "replace:0");
}

TEST_F(SessionTest, NoCoordinatorShutdownDoesNotHang) {
  auto session = NewSession(port_);  // nothing listens
  session->Start(&runner_);
  session->OnResults(Results(1, 0));
  absl::SleepFor(absl::Milliseconds(300));
  const absl::Time start = absl::Now();
  session->Shutdown(absl::Milliseconds(200));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(session->stats().buffered_results, 1u);
}

TEST_F(SessionTest, WrongTokenKeepsRetrying) {
  auto coordinator = FakeCoordinator::Start(port_, /*auto_ack=*/true);
  ASSERT_NE(coordinator, nullptr);
  SessionOptions options;
  options.coordinator = absl::StrCat("127.0.0.1:", port_);
  options.credentials = grpc::InsecureChannelCredentials();
  options.token = "wrong";
  options.identity = {"agent-x", {}};
  options.incarnation = NewIncarnation();
  CoordinatorSession bad(options);
  bad.Start(&runner_);
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_FALSE(bad.stats().connected);
  EXPECT_TRUE(coordinator->hellos().empty());
  bad.Shutdown(absl::Milliseconds(100));
}

}  // namespace
}  // namespace uptime::agent
