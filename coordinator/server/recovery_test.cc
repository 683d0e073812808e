#include "coordinator/server/recovery.h"

#include <map>
#include <string>

#include "common/clock.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_incident_store.h"

namespace uptime::coordinator {
namespace {

class RecoveryTest : public ::testing::Test {
 protected:
  // Opens an incident for `monitor_id` started at `started`; returns its id.
  std::string Open(const std::string& monitor_id, absl::Time started) {
    v1::Incident incident;
    incident.set_monitor_id(monitor_id);
    incident.set_cause("status: HTTP 503");
    ToProto(started, incident.mutable_started());
    auto opened = incidents_.OpenIncident(incident, {});
    EXPECT_TRUE(opened.ok());
    return opened->incident.id();
  }

  static v1::MonitorStatus State(const std::string& monitor_id, v1::State state,
                                 absl::Time since, const std::string& incident_id = "") {
    v1::MonitorStatus s;
    s.set_monitor_id(monitor_id);
    s.set_state(state);
    ToProto(since, s.mutable_since());
    s.set_open_incident_id(incident_id);
    return s;
  }

  // The reconciled states, by monitor id.
  std::map<std::string, v1::MonitorStatus> Reconcile(std::vector<v1::MonitorStatus> states) {
    EXPECT_TRUE(ReconcileWithIncidents(incidents_, now_, states).ok());
    std::map<std::string, v1::MonitorStatus> by_id;
    for (v1::MonitorStatus& s : states) by_id[s.monitor_id()] = std::move(s);
    return by_id;
  }

  SimulatedClock clock_;
  store::MemoryIncidentStore incidents_{&clock_};
  const absl::Time t0_ = absl::FromUnixSeconds(1'700'000'000);
  const absl::Time now_ = t0_ + absl::Minutes(10);
};

TEST_F(RecoveryTest, ASnapshotBehindAnOpenIncidentBecomesDownWithIt) {
  const std::string incident = Open("m1", t0_ + absl::Minutes(1));
  auto states = Reconcile({State("m1", v1::STATE_UP, t0_)});
  EXPECT_EQ(states["m1"].state(), v1::STATE_DOWN);
  EXPECT_EQ(states["m1"].open_incident_id(), incident);
  EXPECT_EQ(FromProto(states["m1"].since()), t0_ + absl::Minutes(1));
}

TEST_F(RecoveryTest, PendingAndDownWithAnotherIncidentTakeTheStoresIncident) {
  const std::string a = Open("pending", t0_);
  const std::string b = Open("down", t0_);
  auto states = Reconcile({State("pending", v1::STATE_PENDING, t0_),
                           State("down", v1::STATE_DOWN, t0_, "inc-stale")});
  EXPECT_EQ(states["pending"].state(), v1::STATE_DOWN);
  EXPECT_EQ(states["pending"].open_incident_id(), a);
  EXPECT_EQ(states["down"].open_incident_id(), b);
}

TEST_F(RecoveryTest, AnUpToDateDownStateIsKept) {
  const std::string incident = Open("m1", t0_);
  const absl::Time since = t0_ + absl::Seconds(3);  // the snapshot's own since
  auto states = Reconcile({State("m1", v1::STATE_DOWN, since, incident)});
  EXPECT_EQ(states["m1"].state(), v1::STATE_DOWN);
  EXPECT_EQ(FromProto(states["m1"].since()), since);
}

TEST_F(RecoveryTest, DownWithoutAnOpenIncidentIsUpSinceNow) {
  const std::string incident = Open("m1", t0_);
  ASSERT_TRUE(incidents_.CloseIncident(incident, t0_ + absl::Minutes(2), {}).ok());
  auto states = Reconcile({State("m1", v1::STATE_DOWN, t0_, incident)});
  EXPECT_EQ(states["m1"].state(), v1::STATE_UP);
  EXPECT_EQ(FromProto(states["m1"].since()), now_);
  EXPECT_TRUE(states["m1"].open_incident_id().empty());
}

TEST_F(RecoveryTest, MaintenanceKeepsItsStateButTakesTheStoresIncident) {
  const std::string incident = Open("with", t0_);
  auto states = Reconcile({State("with", v1::STATE_MAINTENANCE, t0_, "inc-stale"),
                           State("without", v1::STATE_MAINTENANCE, t0_, "inc-gone")});
  EXPECT_EQ(states["with"].state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(states["with"].open_incident_id(), incident);
  EXPECT_EQ(states["without"].state(), v1::STATE_MAINTENANCE);
  EXPECT_TRUE(states["without"].open_incident_id().empty());
}

TEST_F(RecoveryTest, AnOpenIncidentWithoutASnapshotAddsADownState) {
  const std::string incident = Open("unsaved", t0_ + absl::Minutes(4));
  auto states = Reconcile({});
  ASSERT_EQ(states.count("unsaved"), 1u);
  EXPECT_EQ(states["unsaved"].state(), v1::STATE_DOWN);
  EXPECT_EQ(states["unsaved"].open_incident_id(), incident);
  EXPECT_EQ(FromProto(states["unsaved"].since()), t0_ + absl::Minutes(4));
}

TEST_F(RecoveryTest, UpWithoutIncidentIsUntouched) {
  auto states = Reconcile({State("m1", v1::STATE_UP, t0_)});
  EXPECT_EQ(states["m1"].state(), v1::STATE_UP);
  EXPECT_EQ(FromProto(states["m1"].since()), t0_);
}

}  // namespace
}  // namespace uptime::coordinator
