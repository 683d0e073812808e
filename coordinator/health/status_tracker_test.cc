// StatusTracker with maintenance windows: states, incidents (hence alerts)
// and events, driven by a simulated clock.
#include "coordinator/health/status_tracker.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/catalog/maintenance_calendar.h"
#include "gtest/gtest.h"
#include "store/memory/memory_catalog_store.h"
#include "store/catalog_store.h"

namespace uptime::coordinator {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

class RecordingIncidents : public IncidentSink {
 public:
  void IncidentOpened(const v1::Incident& incident, const v1::Monitor&) override {
    opened.push_back(incident);
  }
  void IncidentResolved(const v1::Incident& incident, const v1::Monitor&) override {
    resolved.push_back(incident);
  }
  std::vector<v1::Incident> opened;
  std::vector<v1::Incident> resolved;
};

class RecordingEvents : public EventSink {
 public:
  bool WantsResults() const override { return false; }
  void Deliver(const v1::Event& event, const google::protobuf::Map<std::string, std::string>&) override {
    if (event.has_state_change()) changes.push_back(event.state_change());
  }
  // "FROM>TO" of every change, in order.
  std::vector<std::string> Moves() const {
    std::vector<std::string> out;
    for (const v1::StateChange& c : changes) {
      out.push_back(std::string(v1::State_Name(c.from_state()).substr(6)) + ">" +
                    std::string(v1::State_Name(c.to_state()).substr(6)));
    }
    return out;
  }
  std::vector<v1::StateChange> changes;
};

class StatusTrackerMaintenanceTest : public ::testing::Test {
 protected:
  StatusTrackerMaintenanceTest() {
    catalog_.AddListener(&tracker_);
    events_.Subscribe(&recorder_);
  }
  ~StatusTrackerMaintenanceTest() override { events_.Unsubscribe(&recorder_); }

  std::string Create(const std::string& name, std::vector<std::pair<std::string, std::string>> labels = {}) {
    v1::Monitor m;
    m.set_name(name);
    m.set_failure_threshold(2);
    for (auto& [k, v] : labels) (*m.mutable_labels())[k] = v;
    absl::StatusOr<MonitorPtr> created = catalog_.Create(std::move(m), v1::AuditEvent());
    EXPECT_TRUE(created.ok()) << created.status();
    return (*created)->id();
  }

  void Report(const std::string& id, bool ok, int times = 1) {
    for (int i = 0; i < times; ++i) {
      v1::CheckResult r;
      r.set_monitor_id(id);
      r.set_location("eu");
      r.set_success(ok);
      if (!ok) {
        r.set_error_kind(v1::ERROR_KIND_STATUS);
        r.set_http_status(503);
      }
      tracker_.Ingest({r});
    }
  }

  // A one-off window over `ids` from `start` for `length`.
  void Plan(std::vector<std::string> ids, absl::Time start, absl::Duration length,
            const std::string& selector = "") {
    v1::MaintenanceWindow w;
    w.set_id("mw-" + std::to_string(windows_.size()));
    for (const std::string& id : ids) w.add_monitor_ids(id);
    w.set_label_selector(selector);
    ToProto(start, w.mutable_start_time());
    ToProto(start + length, w.mutable_end_time());
    windows_.push_back(w);
    tracker_.SetMaintenanceCalendar(MaintenanceCalendar::Build(windows_));
  }

  void ClearWindows() {
    windows_.clear();
    tracker_.SetMaintenanceCalendar(MaintenanceCalendar::Build(windows_));
  }

  v1::MonitorStatus Status(const std::string& id) {
    absl::StatusOr<v1::MonitorStatus> s = tracker_.Get(id);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : v1::MonitorStatus();
  }

  const absl::Time t0_ = Utc(2026, 3, 1, 11);
  SimulatedClock clock_{t0_};
  EventBus events_;
  RecordingEvents recorder_;
  RecordingIncidents incidents_;
  StatusTracker tracker_{&clock_, &events_, &incidents_};
  store::MemoryCatalogStore catalog_store_;
  Catalog catalog_{&clock_, &catalog_store_};
  std::vector<v1::MaintenanceWindow> windows_;
};

TEST_F(StatusTrackerMaintenanceTest, FailingInAWindowAlertsOnlyWhenItEnds) {
  const std::string id = Create("checkout");
  Report(id, true);
  ASSERT_EQ(Status(id).state(), v1::STATE_UP);
  const absl::Time start = t0_ + absl::Hours(1), end = t0_ + absl::Hours(2);
  Plan({id}, start, end - start);
  EXPECT_EQ(Status(id).state(), v1::STATE_UP);

  // The boundary timer fires with no result arriving.
  clock_.AdvanceTo(start);
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(FromProto(Status(id).since()), start);

  clock_.Advance(absl::Minutes(10));
  Report(id, false, 3);
  v1::MonitorStatus during = Status(id);
  EXPECT_EQ(during.state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(during.consecutive_failures(), 3);  // still counted
  EXPECT_FALSE(during.last_result().success());
  EXPECT_TRUE(during.open_incident_id().empty());
  EXPECT_TRUE(incidents_.opened.empty());

  clock_.AdvanceTo(end);
  v1::MonitorStatus after = Status(id);
  EXPECT_EQ(after.state(), v1::STATE_DOWN);
  EXPECT_EQ(FromProto(after.since()), end);
  ASSERT_EQ(incidents_.opened.size(), 1u);
  EXPECT_EQ(FromProto(incidents_.opened[0].started()), end);
  EXPECT_TRUE(absl::StrContains(incidents_.opened[0].cause(), "503"))
      << incidents_.opened[0].cause();
  EXPECT_EQ(after.open_incident_id(), incidents_.opened[0].id());
  EXPECT_EQ(recorder_.Moves(),
            (std::vector<std::string>{"PENDING>UP", "UP>MAINTENANCE", "MAINTENANCE>DOWN"}));
  EXPECT_EQ(recorder_.changes.back().incident_id(), after.open_incident_id());
}

TEST_F(StatusTrackerMaintenanceTest, HealthyWhenTheWindowEndsIsUpWithoutAlert) {
  const std::string id = Create("checkout");
  Report(id, true);
  Plan({id}, clock_.Now(), absl::Hours(1));
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  // Down and back up again inside the window: nothing to say afterwards.
  Report(id, false, 3);
  Report(id, true);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Status(id).state(), v1::STATE_UP);
  EXPECT_TRUE(incidents_.opened.empty());
  EXPECT_TRUE(incidents_.resolved.empty());
  EXPECT_EQ(recorder_.Moves(),
            (std::vector<std::string>{"PENDING>UP", "UP>MAINTENANCE", "MAINTENANCE>UP"}));
}

TEST_F(StatusTrackerMaintenanceTest, IncidentOpenBeforeTheWindowStaysOpenSilently) {
  const std::string id = Create("db");
  Report(id, false, 2);
  ASSERT_EQ(Status(id).state(), v1::STATE_DOWN);
  ASSERT_EQ(incidents_.opened.size(), 1u);
  const std::string incident = incidents_.opened[0].id();

  Plan({id}, clock_.Now() + absl::Minutes(5), absl::Hours(1));
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(Status(id).open_incident_id(), incident);
  // Recovers during the window: no "recovered" alert yet.
  Report(id, true, 3);
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  EXPECT_TRUE(incidents_.resolved.empty());

  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Status(id).state(), v1::STATE_UP);
  ASSERT_EQ(incidents_.resolved.size(), 1u);
  EXPECT_EQ(incidents_.resolved[0].id(), incident);
  EXPECT_EQ(incidents_.opened.size(), 1u);
  EXPECT_TRUE(Status(id).open_incident_id().empty());
}

TEST_F(StatusTrackerMaintenanceTest, StillDownAfterTheWindowKeepsTheOneIncident) {
  const std::string id = Create("db");
  Report(id, false, 2);
  ASSERT_EQ(incidents_.opened.size(), 1u);
  Plan({id}, clock_.Now(), absl::Minutes(30));
  Report(id, false, 5);
  clock_.Advance(absl::Minutes(30));
  EXPECT_EQ(Status(id).state(), v1::STATE_DOWN);
  EXPECT_EQ(Status(id).open_incident_id(), incidents_.opened[0].id());
  EXPECT_EQ(incidents_.opened.size(), 1u);  // no second DOWN alert
  EXPECT_TRUE(incidents_.resolved.empty());
  // Recovering later closes it as usual.
  Report(id, true);
  EXPECT_EQ(Status(id).state(), v1::STATE_UP);
  EXPECT_EQ(incidents_.resolved.size(), 1u);
}

TEST_F(StatusTrackerMaintenanceTest, SelectorFollowsLabelChangesAndRemovingTheWindowEndsIt) {
  const std::string core = Create("api", {{"team", "core"}});
  const std::string web = Create("site", {{"team", "web"}});
  Report(core, true);
  Report(web, true);
  Plan({}, clock_.Now(), absl::Hours(2), "team=core");
  EXPECT_EQ(Status(core).state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(Status(web).state(), v1::STATE_UP);
  EXPECT_EQ(tracker_.Counts().maintenance, 1);
  EXPECT_EQ(tracker_.Counts().up, 1);

  // Relabelled into the selector.
  v1::Monitor moved = **catalog_.Get(web);
  (*moved.mutable_labels())["team"] = "core";
  ASSERT_TRUE(catalog_.Replace(moved, v1::AuditEvent()).ok());
  EXPECT_EQ(Status(web).state(), v1::STATE_MAINTENANCE);

  Report(core, false, 3);
  ClearWindows();  // deleted early: both leave maintenance now
  EXPECT_EQ(Status(core).state(), v1::STATE_DOWN);
  EXPECT_EQ(Status(web).state(), v1::STATE_UP);
  EXPECT_EQ(incidents_.opened.size(), 1u);
  // The boundary timer of the removed window does nothing later.
  clock_.Advance(absl::Hours(3));
  EXPECT_EQ(incidents_.opened.size(), 1u);
}

TEST_F(StatusTrackerMaintenanceTest, PauseWinsAndResumeInsideTheWindowIsMaintenance) {
  const std::string id = Create("api");
  Report(id, true);
  Plan({id}, clock_.Now(), absl::Hours(1));
  ASSERT_TRUE(catalog_.SetPaused(id, true, v1::AuditEvent()).ok());
  EXPECT_EQ(Status(id).state(), v1::STATE_PAUSED);
  ASSERT_TRUE(catalog_.SetPaused(id, false, v1::AuditEvent()).ok());
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  clock_.Advance(absl::Hours(1));
  // Resumed monitors start over: PENDING until results say otherwise.
  EXPECT_EQ(Status(id).state(), v1::STATE_PENDING);
}

TEST_F(StatusTrackerMaintenanceTest, MonitorCreatedInsideAWindowStartsInMaintenance) {
  Plan({}, clock_.Now(), absl::Hours(1), "env=prod");
  const std::string id = Create("new", {{"env", "prod"}});
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  Report(id, true);
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Status(id).state(), v1::STATE_UP);
  EXPECT_TRUE(incidents_.opened.empty());
}

TEST_F(StatusTrackerMaintenanceTest, ChangesAreSavedLikeOtherStates) {
  const std::string id = Create("api");
  Report(id, true);
  tracker_.TakeDirty();
  Plan({id}, clock_.Now() + absl::Minutes(1), absl::Minutes(1));
  EXPECT_TRUE(tracker_.TakeDirty().empty());
  clock_.Advance(absl::Minutes(1));
  std::vector<v1::MonitorStatus> dirty = tracker_.TakeDirty();
  ASSERT_EQ(dirty.size(), 1u);
  EXPECT_EQ(dirty[0].state(), v1::STATE_MAINTENANCE);
  clock_.Advance(absl::Minutes(1));
  dirty = tracker_.TakeDirty();
  ASSERT_EQ(dirty.size(), 1u);
  EXPECT_EQ(dirty[0].state(), v1::STATE_UP);
}

TEST_F(StatusTrackerMaintenanceTest, RestoreAfterTheWindowEndedMeanwhile) {
  const std::string with_incident = Create("db");
  const std::string without = Create("api");
  const std::string still = Create("web");
  Plan({still}, clock_.Now(), absl::Hours(1));
  std::vector<v1::MonitorStatus> saved(3);
  saved[0].set_monitor_id(with_incident);
  saved[0].set_state(v1::STATE_MAINTENANCE);
  saved[0].set_open_incident_id("inc-old");
  saved[1].set_monitor_id(without);
  saved[1].set_state(v1::STATE_MAINTENANCE);
  saved[2].set_monitor_id(still);
  saved[2].set_state(v1::STATE_MAINTENANCE);
  ToProto(t0_ - absl::Minutes(7), saved[2].mutable_since());
  tracker_.Restore(saved);

  // Down before the window and not known to have recovered: DOWN with the
  // same incident, not a second one.
  EXPECT_EQ(Status(with_incident).state(), v1::STATE_DOWN);
  EXPECT_EQ(Status(with_incident).open_incident_id(), "inc-old");
  EXPECT_TRUE(incidents_.opened.empty());
  EXPECT_EQ(Status(without).state(), v1::STATE_PENDING);
  // Still in its window: unchanged, since kept.
  EXPECT_EQ(Status(still).state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(FromProto(Status(still).since()), t0_ - absl::Minutes(7));
  // Healthy afterwards: the old incident closes.
  Report(with_incident, true);
  ASSERT_EQ(incidents_.resolved.size(), 1u);
  EXPECT_EQ(incidents_.resolved[0].id(), "inc-old");
}

TEST_F(StatusTrackerMaintenanceTest, RestoredDownInsideAWindowIsSilentMaintenance) {
  const std::string id = Create("db");
  Plan({id}, clock_.Now(), absl::Hours(1));
  v1::MonitorStatus saved;
  saved.set_monitor_id(id);
  saved.set_state(v1::STATE_DOWN);
  saved.set_open_incident_id("inc-old");
  tracker_.Restore({saved});
  EXPECT_EQ(Status(id).state(), v1::STATE_MAINTENANCE);
  EXPECT_EQ(Status(id).open_incident_id(), "inc-old");
  EXPECT_TRUE(incidents_.resolved.empty());
  Report(id, false, 3);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Status(id).state(), v1::STATE_DOWN);
  EXPECT_EQ(Status(id).open_incident_id(), "inc-old");
  EXPECT_TRUE(incidents_.opened.empty());
}

// A daily 02:30-03:30 window in Berlin, followed through the spring DST change
// on 2026-03-29 by the simulated clock's timers alone.
TEST_F(StatusTrackerMaintenanceTest, RecurringWindowAcrossDstEntersAndLeavesOnTime) {
  clock_.AdvanceTo(Utc(2026, 3, 27, 12));
  const std::string id = Create("batch");
  Report(id, true);
  v1::MaintenanceWindow w;
  w.set_id("mw-nightly");
  w.add_monitor_ids(id);
  w.mutable_recurrence()->set_start_time_of_day("02:30");
  w.mutable_recurrence()->mutable_duration()->set_seconds(3600);
  w.mutable_recurrence()->set_time_zone("Europe/Berlin");
  tracker_.SetMaintenanceCalendar(MaintenanceCalendar::Build({w}));
  recorder_.changes.clear();

  clock_.AdvanceTo(Utc(2026, 3, 31, 0));
  std::vector<absl::Time> times;
  for (const v1::StateChange& c : recorder_.changes) times.push_back(FromProto(c.time()));
  EXPECT_EQ(times, (std::vector<absl::Time>{
                       Utc(2026, 3, 28, 1, 30), Utc(2026, 3, 28, 2, 30),  // CET
                       Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 29, 2, 0),    // the skipped hour
                       Utc(2026, 3, 30, 0, 30), Utc(2026, 3, 30, 1, 30)}));  // CEST
  EXPECT_EQ(recorder_.Moves(),
            (std::vector<std::string>{"UP>MAINTENANCE", "MAINTENANCE>UP", "UP>MAINTENANCE",
                                      "MAINTENANCE>UP", "UP>MAINTENANCE", "MAINTENANCE>UP"}));
  EXPECT_TRUE(incidents_.opened.empty());
}

}  // namespace
}  // namespace uptime::coordinator

namespace uptime::coordinator {
namespace {

// Entries are keyed by a view into their own proto: replacing the proto
// (the old one freed) must leave the entry findable, in order, with its
// health kept.
TEST(StatusTrackerTest, ReplacedProtoKeepsTheEntryFindable) {
  SimulatedClock clock(absl::FromUnixSeconds(1'700'000'000));
  EventBus events;
  StatusTracker tracker(&clock, &events, nullptr);
  for (const char* id : {"mon-b", "mon-a", "mon-c"}) {
    v1::Monitor m;
    m.set_id(id);
    m.set_name(id);
    tracker.OnMonitorUpserted(std::make_shared<const v1::Monitor>(std::move(m)));
  }
  for (int round = 0; round < 3; ++round) {
    v1::Monitor m;
    m.set_id("mon-b");
    m.set_name(absl::StrCat("renamed-", round));
    tracker.OnMonitorUpserted(std::make_shared<const v1::Monitor>(std::move(m)));
  }
  absl::StatusOr<v1::MonitorStatus> got = tracker.Get("mon-b");
  ASSERT_TRUE(got.ok()) << got.status();
  absl::StatusOr<StatusPage> page = tracker.List(LabelSelector(), v1::STATE_UNSPECIFIED, 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<std::string> ids;
  for (const v1::MonitorStatus& s : page->statuses) ids.push_back(s.monitor_id());
  EXPECT_EQ(ids, (std::vector<std::string>{"mon-a", "mon-b", "mon-c"}));
  tracker.OnMonitorRemoved("mon-b");
  EXPECT_FALSE(tracker.Get("mon-b").ok());
}

}  // namespace
}  // namespace uptime::coordinator
