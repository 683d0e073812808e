// End to end with three real agent processes: what happens to checking when
// an agent dies, hangs, comes back or shuts down, and what watchers see.
#include <csignal>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/numbers.h"
#include "common/auth.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"

namespace uptime::testing {
namespace {

class FailoverTest : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (HasFatalFailure()) return;
    for (const char* id : {"a1", "a2", "a3"}) {
      ASSERT_TRUE(cluster_.StartAgent(id, absl::StrCat("region=", id)).ok());
    }
    ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 3, absl::Seconds(20));
    for (int i = 0; i < 30; ++i) {
      auto m = cluster_.CreateMonitor(HttpMonitor(absl::StrCat("m", i), target_->url(absl::StrCat("/", i))));
      ASSERT_TRUE(m.ok()) << m.status();
      ids_.push_back(m->id());
    }
    for (const std::string& id : ids_) {
      ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));
    }
  }

  // Monitor ids currently assigned to `agent`.
  std::vector<std::string> MonitorsOf(const std::string& agent) {
    std::vector<std::string> out;
    for (const std::string& id : ids_) {
      auto s = cluster_.GetStatus(id);
      if (s.ok() && s->agent_ids_size() == 1 && s->agent_ids(0) == agent) out.push_back(id);
    }
    return out;
  }

  // True once every monitor in `moved` has a result from another agent that
  // started after `since`.
  bool CheckedElsewhere(const std::vector<std::string>& moved, const std::string& gone,
                        absl::Time since) {
    for (const std::string& id : moved) {
      auto s = cluster_.GetStatus(id);
      if (!s.ok() || s->last_result().agent_id() == gone ||
          absl::FromUnixMicros(s->last_result().start_time_us()) < since) {
        return false;
      }
    }
    return true;
  }

  double MetricValue(const std::string& series) {
    return ::uptime::testing::MetricValue(cluster_.metrics_port(), series);
  }

  std::vector<std::string> ids_;
};

TEST_F(FailoverTest, KilledAgentsMonitorsAreCheckedElsewhereQuickly) {
  const std::vector<std::string> moved = MonitorsOf("a2");
  ASSERT_FALSE(moved.empty());
  const absl::Time killed = absl::Now();
  ASSERT_TRUE(cluster_.agent("a2")->Kill().ok());
  ASSERT_EVENTUALLY(CheckedElsewhere(moved, "a2", killed), absl::Seconds(15));
  const absl::Duration took = absl::Now() - killed;
  std::printf("SIGKILL: %zu monitors checked elsewhere after %s\n", moved.size(),
              absl::FormatDuration(took).c_str());
  EXPECT_EQ(cluster_.ConnectedAgents(), 2);
}

TEST_F(FailoverTest, HungAgentIsReplacedAndItsLateResultsAreNotCounted) {
  // Late results exist only when the agent froze with a result unacknowledged
  // or a check in flight. Acks come back within milliseconds on a quiet
  // machine, so the target answers after 400 ms (the timeout is 800 ms): with
  // 11 or so monitors checked every second, several checks are in flight at
  // any instant, and they end, late, after SIGCONT. Still repeated (at most 4
  // times) in case a freeze lands between all of them.
  target_->SetDelay(absl::Milliseconds(400));
  bool saw_stale = false;
  for (int attempt = 1; attempt <= 4 && !saw_stale; ++attempt) {
    const std::vector<std::string> moved = MonitorsOf("a3");
    ASSERT_FALSE(moved.empty());
    const absl::Time stopped = absl::Now();
    ASSERT_TRUE(cluster_.agent("a3")->Signal(SIGSTOP).ok());
    ASSERT_EVENTUALLY(CheckedElsewhere(moved, "a3", stopped), absl::Seconds(20));
    std::printf("SIGSTOP #%d: %zu monitors checked elsewhere after %s\n", attempt, moved.size(),
                absl::FormatDuration(absl::Now() - stopped).c_str());
    const double stale_before = MetricValue("uptime_coordinator_results_total{fate=\"stale\"}");
    absl::SleepFor(absl::Seconds(2));
    ASSERT_TRUE(cluster_.agent("a3")->Signal(SIGCONT).ok());
    // It reconnects and resends what it had not had acknowledged: those
    // results carry old epochs and are dropped.
    ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 3, absl::Seconds(20));
    ASSERT_EVENTUALLY(!MonitorsOf("a3").empty(), absl::Seconds(20));
    const absl::Time deadline = absl::Now() + absl::Seconds(3);
    while (!saw_stale && absl::Now() < deadline) {
      saw_stale = MetricValue("uptime_coordinator_results_total{fate=\"stale\"}") > stale_before;
      if (!saw_stale) absl::SleepFor(absl::Milliseconds(100));
    }
  }
  EXPECT_TRUE(saw_stale) << "the agent never resent a result after a freeze";
}

TEST_F(FailoverTest, RestartedAgentGetsAShareBack) {
  ASSERT_TRUE(cluster_.agent("a1")->Kill().ok());
  ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 2, absl::Seconds(10));
  ASSERT_EVENTUALLY(MonitorsOf("a1").empty(), absl::Seconds(10));
  ASSERT_TRUE(cluster_.StartAgent("a1", "region=a1").ok());
  ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 3, absl::Seconds(20));
  ASSERT_EVENTUALLY(MonitorsOf("a1").size() >= 3, absl::Seconds(10));
  // The returning agent really checks what it got back.
  const std::vector<std::string> back = MonitorsOf("a1");
  ASSERT_EVENTUALLY(
      [&] {
        for (const auto& id : back) {
          auto s = cluster_.GetStatus(id);
          if (!s.ok() || s->last_result().agent_id() != "a1") return false;
        }
        return true;
      }(),
      absl::Seconds(15));
}

TEST_F(FailoverTest, TerminatedAgentDrainsWithoutACheckGap) {
  const std::vector<std::string> moved = MonitorsOf("a1");
  ASSERT_FALSE(moved.empty());
  auto exit_code = cluster_.agent("a1")->Stop(absl::Seconds(15));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << cluster_.agent("a1")->ReadLog();
  // Wait until the survivors have checked a few times, then look for gaps in
  // each moved monitor's recent results: 1 s interval, so consecutive checks
  // must never be more than two intervals apart.
  absl::SleepFor(absl::Seconds(4));
  for (const std::string& id : moved) {
    v1::ListResultsRequest req;
    req.set_monitor_id(id);
    v1::ListResultsResponse resp;
    ASSERT_TRUE(cluster_.statuses().ListResults(ClusterFixture::Context().get(), req, &resp).ok());
    ASSERT_GE(resp.results_size(), 4);
    std::set<std::string> agents;
    for (int i = 0; i + 1 < resp.results_size(); ++i) {
      agents.insert(resp.results(i).agent_id());
      const int64_t gap_us = resp.results(i).scheduled_time_us() - resp.results(i + 1).scheduled_time_us();
      EXPECT_LE(gap_us, 2'000'000) << id << " had a gap of " << gap_us << " us";
    }
    EXPECT_GE(agents.size(), 1u);
  }
}

TEST_F(FailoverTest, WatchEventsDeliversEachTransitionOnce) {
  grpc::ClientContext ctx;
  AttachToken(&ctx, kReadToken);
  v1::WatchEventsRequest req;
  req.add_monitor_ids(ids_[0]);
  auto reader = cluster_.statuses().WatchEvents(&ctx, req);
  reader->WaitForInitialMetadata();
  target_->SetStatus(500);
  std::vector<v1::StateChange> changes;
  v1::Event event;
  while (changes.size() < 2 && reader->Read(&event)) {
    if (event.has_state_change()) changes.push_back(event.state_change());
    if (changes.size() == 1) target_->SetStatus(200);
  }
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].from_state(), v1::STATE_UP);
  EXPECT_EQ(changes[0].to_state(), v1::STATE_DOWN);
  EXPECT_FALSE(changes[0].incident_id().empty());
  EXPECT_EQ(changes[1].from_state(), v1::STATE_DOWN);
  EXPECT_EQ(changes[1].to_state(), v1::STATE_UP);
  EXPECT_EQ(changes[1].incident_id(), changes[0].incident_id());
  // Nothing more arrives while the target stays up.
  absl::SleepFor(absl::Seconds(3));
  ctx.TryCancel();
  while (reader->Read(&event)) {
    EXPECT_FALSE(event.has_state_change()) << event.DebugString();
  }
}

}  // namespace
}  // namespace uptime::testing
