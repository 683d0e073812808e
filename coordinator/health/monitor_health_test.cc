#include "coordinator/health/monitor_health.h"

#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

v1::CheckResult Result(bool ok, const std::string& location = "eu") {
  v1::CheckResult r;
  r.set_success(ok);
  r.set_location(location);
  if (!ok) {
    r.set_error_kind(v1::ERROR_KIND_STATUS);
    r.set_http_status(503);
  }
  return r;
}

TEST(MonitorHealthTest, PendingThenUpOnFirstSuccess) {
  MonitorHealth h(kT0);
  EXPECT_EQ(h.state(), v1::STATE_PENDING);
  auto t = h.OnResult({}, Result(true), kT0 + absl::Seconds(1));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->from, v1::STATE_PENDING);
  EXPECT_EQ(t->to, v1::STATE_UP);
  EXPECT_EQ(h.since(), kT0 + absl::Seconds(1));
}

TEST(MonitorHealthTest, DownOnlyAfterFailureThreshold) {
  HealthPolicy p{.failure_threshold = 3, .recovery_threshold = 2, .quorum = 1};
  MonitorHealth h(kT0);
  h.OnResult(p, Result(true), kT0);
  EXPECT_FALSE(h.OnResult(p, Result(false), kT0).has_value());
  EXPECT_FALSE(h.OnResult(p, Result(false), kT0).has_value());
  auto t = h.OnResult(p, Result(false), kT0 + absl::Seconds(3));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_DOWN);
  EXPECT_EQ(t->cause, "status: HTTP 503 (eu)");
  // Recovery needs two successes in a row.
  EXPECT_FALSE(h.OnResult(p, Result(true), kT0).has_value());
  EXPECT_FALSE(h.OnResult(p, Result(false), kT0).has_value());
  EXPECT_FALSE(h.OnResult(p, Result(true), kT0).has_value());
  t = h.OnResult(p, Result(true), kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_UP);
}

TEST(MonitorHealthTest, FlappingBelowThresholdNeverTransitions) {
  HealthPolicy p{.failure_threshold = 2, .recovery_threshold = 1, .quorum = 1};
  MonitorHealth h(kT0);
  h.OnResult(p, Result(true), kT0);
  int transitions = 0;
  for (int i = 0; i < 100; ++i) {
    if (h.OnResult(p, Result(i % 2 == 0), kT0)) ++transitions;
  }
  EXPECT_EQ(transitions, 0);
  EXPECT_EQ(h.state(), v1::STATE_UP);
}

TEST(MonitorHealthTest, QuorumOfLocationsMustFail) {
  HealthPolicy p{.failure_threshold = 1, .recovery_threshold = 1, .quorum = 2};
  MonitorHealth h(kT0);
  h.OnResult(p, Result(true, "eu"), kT0);
  h.OnResult(p, Result(true, "us"), kT0);
  h.OnResult(p, Result(true, "ap"), kT0);
  EXPECT_FALSE(h.OnResult(p, Result(false, "eu"), kT0).has_value());
  auto t = h.OnResult(p, Result(false, "us"), kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_DOWN);
  // One location recovering leaves one down: below quorum, so UP.
  t = h.OnResult(p, Result(true, "eu"), kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_UP);
}

TEST(MonitorHealthTest, PausedIgnoresResultsAndResumeGoesPending) {
  MonitorHealth h(kT0);
  h.OnResult({}, Result(true), kT0);
  ASSERT_TRUE(h.Pause(kT0).has_value());
  EXPECT_FALSE(h.OnResult({}, Result(false), kT0).has_value());
  EXPECT_EQ(h.state(), v1::STATE_PAUSED);
  auto t = h.Resume(kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_PENDING);
}

TEST(MonitorHealthTest, MaintenanceHidesTransitionsButKeepsCounting) {
  HealthPolicy p{.failure_threshold = 2, .recovery_threshold = 1, .quorum = 1};
  MonitorHealth h(kT0);
  h.OnResult(p, Result(true), kT0);
  auto t = h.SetMaintenance(true, kT0 + absl::Seconds(1));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->from, v1::STATE_UP);
  EXPECT_EQ(t->to, v1::STATE_MAINTENANCE);
  EXPECT_EQ(h.since(), kT0 + absl::Seconds(1));
  EXPECT_FALSE(h.SetMaintenance(true, kT0).has_value());

  EXPECT_FALSE(h.OnResult(p, Result(false), kT0).has_value());
  EXPECT_FALSE(h.OnResult(p, Result(false), kT0).has_value());
  EXPECT_EQ(h.state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(h.health_state(), v1::STATE_DOWN);
  EXPECT_EQ(h.consecutive_failures(), 2);

  // Leaving reports the health now, with the failure that made it DOWN.
  t = h.SetMaintenance(false, kT0 + absl::Seconds(9));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->from, v1::STATE_MAINTENANCE);
  EXPECT_EQ(t->to, v1::STATE_DOWN);
  EXPECT_EQ(t->cause, "status: HTTP 503 (eu)");
  EXPECT_EQ(h.since(), kT0 + absl::Seconds(9));
}

TEST(MonitorHealthTest, LeavingMaintenanceHealthyIsUp) {
  MonitorHealth h(kT0);
  h.SetMaintenance(true, kT0);
  EXPECT_EQ(h.state(), v1::STATE_MAINTENANCE);
  EXPECT_FALSE(h.OnResult({}, Result(true), kT0).has_value());
  auto t = h.SetMaintenance(false, kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_UP);
  EXPECT_EQ(t->cause, "maintenance ended");
}

TEST(MonitorHealthTest, PausedWinsOverMaintenance) {
  MonitorHealth h(kT0);
  h.SetMaintenance(true, kT0);
  auto t = h.Pause(kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_PAUSED);
  // Invisible while paused.
  EXPECT_FALSE(h.SetMaintenance(false, kT0).has_value());
  EXPECT_FALSE(h.SetMaintenance(true, kT0).has_value());
  t = h.Resume(kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::STATE_MAINTENANCE);
}

TEST(MonitorHealthTest, RestoredMaintenanceIsDownUnderneathOnlyWithAnIncident) {
  MonitorHealth with(kT0), without(kT0);
  with.Restore(v1::STATE_MAINTENANCE, kT0, /*incident_open=*/true);
  without.Restore(v1::STATE_MAINTENANCE, kT0, /*incident_open=*/false);
  EXPECT_EQ(with.state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(with.health_state(), v1::STATE_DOWN);
  EXPECT_EQ(without.health_state(), v1::STATE_PENDING);
  EXPECT_EQ(with.SetMaintenance(false, kT0)->to, v1::STATE_DOWN);
  EXPECT_EQ(without.SetMaintenance(false, kT0)->to, v1::STATE_PENDING);
}

}  // namespace
}  // namespace uptime::coordinator
