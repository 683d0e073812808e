// End to end with real PostgreSQL and Redis: what survives a coordinator
// crash, a PostgreSQL restart, and a leader's death with a standby waiting.
#include <csignal>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"
#include "tests/support/ports.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"
#include "common/clock.h"
#include "store/redis/redis_status_cache.h"

namespace uptime::testing {
namespace {

class PersistenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    auto target = HttpTarget::Start();
    ASSERT_TRUE(target.ok()) << target.status();
    target_ = std::move(*target);
  }

  std::vector<std::string> StoreArgs() {
    return {"--postgres", pg_->dsn(), "--redis", redis_->host_port()};
  }

  std::vector<v1::Incident> Incidents(const std::string& monitor_id) {
    v1::ListIncidentsRequest req;
    req.set_monitor_id(monitor_id);
    v1::ListIncidentsResponse resp;
    if (!cluster_.statuses().ListIncidents(ClusterFixture::Context().get(), req, &resp).ok()) return {};
    return {resp.incidents().begin(), resp.incidents().end()};
  }

  // Every stored result of a monitor, following pages.
  int64_t StoredResults(const std::string& monitor_id) {
    int64_t n = 0;
    v1::ListResultsRequest req;
    req.set_monitor_id(monitor_id);
    req.set_page_size(1000);
    do {
      v1::ListResultsResponse resp;
      if (!cluster_.statuses().ListResults(ClusterFixture::Context().get(), req, &resp).ok()) return -1;
      n += resp.results_size();
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return n;
  }

  std::unique_ptr<PostgresServer> pg_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<HttpTarget> target_;
  ClusterFixture cluster_;
};

TEST_F(PersistenceTest, CoordinatorCrashKeepsMonitorsStateAndTheOneOpenIncident) {
  ASSERT_TRUE(cluster_.StartCoordinator(StoreArgs()).ok());
  ASSERT_TRUE(cluster_.StartAgent("a1", "region=eu").ok());
  auto m = cluster_.CreateMonitor(HttpMonitor("api", target_->url("/health")));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EVENTUALLY(cluster_.StateOf(m->id()) == v1::STATE_UP, absl::Seconds(20));
  target_->SetStatus(503);
  ASSERT_EVENTUALLY(cluster_.StateOf(m->id()) == v1::STATE_DOWN, absl::Seconds(20));
  ASSERT_EVENTUALLY(Incidents(m->id()).size() == 1, absl::Seconds(10));
  const std::string incident = Incidents(m->id())[0].id();
  // Let the state snapshot (every second) catch up, then crash.
  absl::SleepFor(absl::Milliseconds(1500));

  ASSERT_TRUE(cluster_.RestartCoordinator().ok());
  auto status = cluster_.GetStatus(m->id());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->monitor_name(), "api");
  EXPECT_EQ(status->state(), v1::STATE_DOWN);
  EXPECT_EQ(status->open_incident_id(), incident);
  // Failures keep coming after the restart: still one incident.
  ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 1, absl::Seconds(20));
  absl::SleepFor(absl::Seconds(3));
  ASSERT_EQ(Incidents(m->id()).size(), 1u);
  EXPECT_EQ(cluster_.StateOf(m->id()), v1::STATE_DOWN);

  target_->SetStatus(200);
  ASSERT_EVENTUALLY(cluster_.StateOf(m->id()) == v1::STATE_UP, absl::Seconds(20));
  ASSERT_EVENTUALLY(Incidents(m->id()).size() == 1 && Incidents(m->id())[0].has_resolved(),
                    absl::Seconds(10));
  EXPECT_EQ(Incidents(m->id())[0].id(), incident);

  v1::GetUptimeRequest up;
  up.set_monitor_id(m->id());
  v1::GetUptimeResponse uptime;
  ASSERT_TRUE(cluster_.statuses().GetUptime(ClusterFixture::Context().get(), up, &uptime).ok());
  ASSERT_GE(uptime.windows_size(), 1);
  EXPECT_EQ(uptime.windows(0).window(), "24h");
  EXPECT_GT(uptime.windows(0).checks(), 0);
  EXPECT_GT(uptime.windows(0).failures(), 0);
  EXPECT_LT(uptime.windows(0).uptime_percent(), 100.0);
}

TEST_F(PersistenceTest, PostgresRestartLosesNoResult) {
  ASSERT_TRUE(cluster_.StartCoordinator(StoreArgs()).ok());
  ASSERT_TRUE(cluster_.StartAgent("a1", "region=eu").ok());
  auto m = cluster_.CreateMonitor(HttpMonitor("counted", target_->url("/count")));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EVENTUALLY(cluster_.StateOf(m->id()) == v1::STATE_UP, absl::Seconds(20));
  absl::SleepFor(absl::Seconds(2));

  ASSERT_TRUE(pg_->Restart().ok());
  // The leader's lock session died with the server; nobody else took the
  // lock, so the leader takes it back within --leader-lock-grace and goes
  // on: checking, state and alerts never stopped, and writes waited.
  absl::SleepFor(absl::Seconds(3));
  ASSERT_TRUE(cluster_.coordinator()->Running()) << cluster_.coordinator()->ReadLog();
  EXPECT_TRUE(absl::StrContains(cluster_.coordinator()->ReadLog(), "took the leader lock back"))
      << cluster_.coordinator()->ReadLog();
  ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 1, absl::Seconds(20));
  absl::SleepFor(absl::Seconds(2));

  // Stop checking, let the last results land, then compare with what the
  // target saw: every check the agent ran is stored exactly once, except a
  // check still running at the pause, whose result is counted as stale.
  const std::string stale = "uptime_coordinator_results_total{fate=\"stale\"}";
  const double stale_before = MetricValue(cluster_.metrics_port(), stale);
  v1::PauseMonitorRequest pause;
  pause.set_id(m->id());
  v1::Monitor paused;
  ASSERT_TRUE(cluster_.monitors().PauseMonitor(ClusterFixture::Context().get(), pause, &paused).ok());
  absl::SleepFor(absl::Seconds(3));
  const int64_t checks = target_->request_count();
  ASSERT_EVENTUALLY(
      StoredResults(m->id()) + (MetricValue(cluster_.metrics_port(), stale) - stale_before) == checks,
      absl::Seconds(20));
  const double dropped = MetricValue(cluster_.metrics_port(), stale) - stale_before;
  EXPECT_LE(dropped, 1) << "more than the one in-flight check was dropped";
  std::printf("checks run: %lld, results stored: %lld, in flight at the pause: %.0f\n",
              static_cast<long long>(checks), static_cast<long long>(StoredResults(m->id())), dropped);
}

TEST_F(PersistenceTest, RedisDownAndBackEndsWithTheRightLiveStatus) {
  ASSERT_TRUE(cluster_.StartCoordinator(StoreArgs()).ok());
  ASSERT_TRUE(cluster_.StartAgent("a1", "region=eu").ok());
  auto m = cluster_.CreateMonitor(HttpMonitor("cached", target_->url("/")));
  ASSERT_TRUE(m.ok()) << m.status();
  SimulatedClock clock;
  store::RedisStatusCache cache({.redis = {.host_port = redis_->host_port()}}, &clock);
  ASSERT_EVENTUALLY(cache.Get(m->id()).ok() && cache.Get(m->id())->state() == v1::STATE_UP,
                    absl::Seconds(20));

  ASSERT_TRUE(redis_->Stop().ok());
  target_->SetStatus(500);
  // Checking and state go on without Redis.
  ASSERT_EVENTUALLY(cluster_.StateOf(m->id()) == v1::STATE_DOWN, absl::Seconds(20));
  ASSERT_TRUE(redis_->StartAgain().ok());
  // Redis comes back empty; the coordinator writes every status again.
  ASSERT_EVENTUALLY(cache.Get(m->id()).ok() && cache.Get(m->id())->state() == v1::STATE_DOWN,
                    absl::Seconds(20));
}

TEST_F(PersistenceTest, StandbyTakesOverWhenTheLeaderDies) {
  ASSERT_TRUE(cluster_.StartCoordinator(StoreArgs()).ok());
  auto m = cluster_.CreateMonitor(HttpMonitor("survivor", target_->url("/")));
  ASSERT_TRUE(m.ok()) << m.status();

  const int standby_port = PickFreePort();
  const int standby_metrics = PickFreePort();
  std::vector<std::string> args = {"--listen", absl::StrCat("127.0.0.1:", standby_port),
                                   "--metrics-listen", absl::StrCat("127.0.0.1:", standby_metrics),
                                   "--admin-token", kAdminToken, "--agent-token", kAgentToken};
  for (const std::string& a : StoreArgs()) args.push_back(a);
  auto standby = Process::Start(BinaryPath("uptime-coordinator"), args);
  ASSERT_TRUE(standby.ok());
  // Not ready while the leader lives.
  ASSERT_EVENTUALLY(HttpGet(standby_metrics, "/healthz").ok(), absl::Seconds(20));
  EXPECT_FALSE(HttpGet(standby_metrics, "/readyz").ok());

  const absl::Time killed = absl::Now();
  ASSERT_TRUE(cluster_.coordinator()->Kill().ok());
  ASSERT_EVENTUALLY(HttpGet(standby_metrics, "/readyz").ok(), absl::Seconds(30));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", standby_port),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::MonitorService::NewStub(channel);
  v1::GetMonitorRequest get;
  get.set_id(m->id());
  v1::Monitor got;
  ASSERT_EVENTUALLY(stub->GetMonitor(ClusterFixture::Context().get(), get, &got).ok(),
                    absl::Seconds(20));
  std::printf("standby serving %s after the leader's SIGKILL\n",
              absl::FormatDuration(absl::Now() - killed).c_str());
  EXPECT_EQ(got.name(), "survivor");
}

}  // namespace
}  // namespace uptime::testing
