// SnapshotWriter with in-memory stores and a simulated clock: what a new
// leader restores is saved at once, a counters-only change waits for its
// refresh, and a failed save is kept and retried with the newest version.
#include "coordinator/persistence/snapshot_writer.h"

#include <string>
#include <utility>

#include "coordinator/catalog/catalog.h"
#include "gtest/gtest.h"
#include "store/memory/memory_catalog_store.h"
#include "store/memory/memory_incident_store.h"
#include "store/testing/faulty_stores.h"

namespace uptime::coordinator {
namespace {

constexpr absl::Duration kRefresh = absl::Seconds(30);

class SnapshotWriterTest : public ::testing::Test {
 protected:
  SnapshotWriterTest() { catalog_.AddListener(&tracker_); }

  std::string Create() {
    v1::Monitor m;
    m.set_name("api");
    m.set_failure_threshold(1);
    absl::StatusOr<MonitorPtr> created = catalog_.Create(std::move(m), v1::AuditEvent());
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? (*created)->id() : "";
  }

  void Report(const std::string& id, bool ok) {
    v1::CheckResult r;
    r.set_monitor_id(id);
    r.set_location("eu");
    r.set_success(ok);
    if (!ok) r.set_error_kind(v1::ERROR_KIND_STATUS);
    tracker_.Ingest({r});
  }

  // The snapshot stored for `id` (a default one when there is none).
  v1::MonitorStatus Stored(const std::string& id) {
    absl::StatusOr<std::vector<v1::MonitorStatus>> all = memory_.LoadStates();
    EXPECT_TRUE(all.ok()) << all.status();
    for (const v1::MonitorStatus& s : all.ok() ? *all : std::vector<v1::MonitorStatus>()) {
      if (s.monitor_id() == id) return s;
    }
    return v1::MonitorStatus();
  }

  SimulatedClock clock_;
  EventBus events_;
  StatusTracker tracker_{&clock_, &events_, nullptr};
  store::MemoryCatalogStore catalog_store_;
  Catalog catalog_{&clock_, &catalog_store_};
  store::MemoryIncidentStore memory_{&clock_};
  store::StoreFaults faults_;
  store::FaultyIncidentStore incidents_{&memory_, &faults_};
  MetricsRegistry metrics_;
  Counter* saved_ = metrics_.AddCounter("test_states_saved_total", "Snapshot rows written");
  SnapshotWriter writer_{&clock_, kRefresh, &incidents_, &tracker_, /*cache=*/nullptr, saved_};
};

TEST_F(SnapshotWriterTest, CountersWaitForTheRefreshAStateChangeDoesNot) {
  const std::string id = Create();
  Report(id, true);
  writer_.Write();
  EXPECT_EQ(Stored(id).state(), v1::STATE_UP);
  const uint64_t first = saved_->value();
  EXPECT_GE(first, 1u);

  // Only the counters and the latest result change: no row yet.
  Report(id, true);
  writer_.Write();
  EXPECT_EQ(saved_->value(), first);
  clock_.Advance(kRefresh);
  writer_.Write();
  EXPECT_EQ(saved_->value(), first + 1);

  // What a new leader restores changed: saved in the same pass.
  Report(id, false);
  writer_.Write();
  EXPECT_EQ(saved_->value(), first + 2);
  EXPECT_EQ(Stored(id).state(), v1::STATE_DOWN);
}

TEST_F(SnapshotWriterTest, AFailedSaveIsRetriedWithTheNewestVersion) {
  const std::string id = Create();
  Report(id, true);
  faults_.FailNextWrites(1);
  writer_.Write();
  EXPECT_EQ(saved_->value(), 0u);
  Report(id, false);
  writer_.Write();
  EXPECT_EQ(saved_->value(), 1u);  // one row: the newest version only
  EXPECT_EQ(Stored(id).state(), v1::STATE_DOWN);
}

}  // namespace
}  // namespace uptime::coordinator
