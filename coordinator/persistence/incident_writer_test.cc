// IncidentWriter with an in-memory store: writes go out in the order they
// happened, a failed one and everything after it waits for the next pass,
// and closing an incident that was never stored is not an error.
#include "coordinator/persistence/incident_writer.h"

#include "common/clock.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_incident_store.h"
#include "store/testing/faulty_stores.h"

namespace uptime::coordinator {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

v1::Incident Incident(const std::string& id, const std::string& monitor) {
  v1::Incident incident;
  incident.set_id(id);
  incident.set_monitor_id(monitor);
  incident.set_cause("status: HTTP 503");
  ToProto(kStart, incident.mutable_started());
  return incident;
}

v1::Incident Resolved(v1::Incident incident) {
  ToProto(kStart + absl::Minutes(5), incident.mutable_resolved());
  return incident;
}

class IncidentWriterTest : public ::testing::Test {
 protected:
  std::vector<v1::Incident> Stored() {
    absl::StatusOr<store::IncidentPage> page = memory_.ListIncidents({});
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->incidents : std::vector<v1::Incident>();
  }

  SimulatedClock clock_{kStart};
  store::MemoryIncidentStore memory_{&clock_};
  store::StoreFaults faults_;
  store::FaultyIncidentStore incidents_{&memory_, &faults_};
  EventBus events_;
  StatusTracker tracker_{&clock_, &events_, nullptr};
  IncidentWriter writer_{&incidents_, &tracker_};
};

TEST_F(IncidentWriterTest, AFailedWriteKeepsItAndWhatCameAfterInOrder) {
  writer_.Record(Incident("inc-1", "mon-1"), /*resolved=*/false, {});
  writer_.Record(Resolved(Incident("inc-1", "mon-1")), /*resolved=*/true, {});
  faults_.FailNextWrites(1);
  EXPECT_FALSE(writer_.WritePending());
  EXPECT_TRUE(Stored().empty());  // the close did not overtake its open
  EXPECT_TRUE(writer_.WritePending());
  std::vector<v1::Incident> stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id(), "inc-1");
  EXPECT_EQ(FromProto(stored[0].resolved()), kStart + absl::Minutes(5));
  EXPECT_TRUE(writer_.WritePending());  // nothing left
}

TEST_F(IncidentWriterTest, ClosingAnIncidentNeverStoredIsDone) {
  writer_.Record(Resolved(Incident("inc-9", "mon-9")), /*resolved=*/true, {});
  EXPECT_TRUE(writer_.WritePending());
  EXPECT_TRUE(Stored().empty());
}

}  // namespace
}  // namespace uptime::coordinator
