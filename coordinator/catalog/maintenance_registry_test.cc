#include "coordinator/catalog/maintenance_registry.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "coordinator/catalog/audit_test_support.h"
#include "gtest/gtest.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_maintenance_store.h"
#include "store/testing/faulty_stores.h"

namespace uptime::coordinator {
namespace {

using ::testing::HasSubstr;

class MaintenanceRegistryTest : public ::testing::Test {
 protected:
  MaintenanceRegistryTest()
      : registry_(&clock_, &store_,
                  [this](const std::string& id) { return monitors_.contains(id); },
                  [this](std::shared_ptr<const MaintenanceCalendar> c) {
                    calendar_ = std::move(c);
                    ++published_;
                  }) {}

  // A one-off window over mon-1, starting in `in` for an hour.
  v1::MaintenanceWindow Window(absl::Duration in = absl::ZeroDuration()) {
    v1::MaintenanceWindow w;
    w.set_name("deploy");
    w.add_monitor_ids("mon-1");
    ToProto(clock_.Now() + in, w.mutable_start_time());
    ToProto(clock_.Now() + in + absl::Hours(1), w.mutable_end_time());
    return w;
  }

  v1::Monitor Monitor(const std::string& id) {
    v1::Monitor m;
    m.set_id(id);
    return m;
  }

  SimulatedClock clock_;
  store::MemoryAccountStore audit_log_;
  store::MemoryMaintenanceStore memory_{&audit_log_};
  store::StoreFaults faults_;  // set_down(true): PostgreSQL gone
  store::FaultyMaintenanceStore store_{&memory_, &faults_};
  std::set<std::string> monitors_ = {"mon-1", "mon-2"};
  std::shared_ptr<const MaintenanceCalendar> calendar_;
  int published_ = 0;
  MaintenanceRegistry registry_;
};

TEST_F(MaintenanceRegistryTest, CreateAssignsIdTimesDefaultsAndPublishes) {
  v1::MaintenanceWindow w = Window();
  w.set_id("mine");
  w.set_active(false);
  absl::StatusOr<v1::MaintenanceWindow> created = registry_.Create(w, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->id().substr(0, 3), "mw-");
  EXPECT_EQ(FromProto(created->create_time()), clock_.Now());
  EXPECT_TRUE(created->active());
  EXPECT_EQ(FromProto(created->next_occurrence().end_time()), clock_.Now() + absl::Hours(1));
  EXPECT_EQ(published_, 1);
  EXPECT_TRUE(calendar_->InMaintenance(Monitor("mon-1"), clock_.Now()));
  // Output-only fields are not stored.
  std::vector<v1::MaintenanceWindow> stored = *store_.LoadWindows();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_FALSE(stored[0].has_next_occurrence());
  EXPECT_FALSE(stored[0].active());

  v1::MaintenanceWindow recurring;
  recurring.set_name("nightly");
  recurring.set_label_selector("team=core");
  recurring.mutable_recurrence()->set_start_time_of_day("02:00");
  recurring.mutable_recurrence()->mutable_duration()->set_seconds(1800);
  created = registry_.Create(recurring, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->recurrence().time_zone(), "UTC");
  EXPECT_TRUE(created->has_next_occurrence());
}

TEST_F(MaintenanceRegistryTest, BadInputNamesTheFieldAndChangesNothing) {
  struct Case {
    std::function<void(v1::MaintenanceWindow&)> edit;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](auto& w) { w.set_name("  "); }, "window.name: is required"},
      {[](auto& w) { w.set_name(std::string(201, 'x')); }, "window.name: must be at most 200"},
      {[](auto& w) { w.set_description(std::string(2001, 'x')); }, "window.description:"},
      {[](auto& w) { w.clear_monitor_ids(); }, "window.monitor_ids: set monitor_ids or label_selector"},
      {[](auto& w) { w.add_monitor_ids("mon-9"); }, "window.monitor_ids[1]: unknown monitor 'mon-9'"},
      {[](auto& w) { w.add_monitor_ids("mon-1"); }, "window.monitor_ids[1]: duplicate of monitor_ids[0]"},
      {[](auto& w) { w.add_monitor_ids(""); }, "window.monitor_ids[1]: is empty"},
      {[](auto& w) { w.set_label_selector("=oops"); }, "window.label_selector"},
      {[](auto& w) { *w.mutable_end_time() = w.start_time(); }, "window.end_time: must be after start_time"},
      {[](auto& w) { w.clear_end_time(); }, "window.end_time: is required"},
      {[this](auto& w) {
         ToProto(clock_.Now() - absl::Hours(2), w.mutable_start_time());
         ToProto(clock_.Now() - absl::Hours(1), w.mutable_end_time());
       },
       "window.end_time: is in the past"},
      {[](auto& w) { w.mutable_recurrence()->set_start_time_of_day("7am"); },
       "window.recurrence.start_time_of_day"},
      {[](auto& w) {
         w.mutable_recurrence()->set_start_time_of_day("07:00");
         w.mutable_recurrence()->mutable_duration()->set_seconds(600);
         w.mutable_recurrence()->set_time_zone("Nowhere/Town");
       },
       "window.recurrence.time_zone: unknown time zone"},
  };
  for (const Case& c : cases) {
    v1::MaintenanceWindow w = Window();
    c.edit(w);
    absl::StatusOr<v1::MaintenanceWindow> created = registry_.Create(w, TestWho());
    ASSERT_FALSE(created.ok()) << c.error;
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument) << created.status();
    EXPECT_THAT(std::string(created.status().message()), HasSubstr(c.error));
  }
  EXPECT_EQ(registry_.size(), 0u);
  EXPECT_TRUE(store_.LoadWindows()->empty());
  EXPECT_EQ(published_, 0);
}

TEST_F(MaintenanceRegistryTest, StoreFailureChangesNothing) {
  absl::StatusOr<v1::MaintenanceWindow> created = registry_.Create(Window(), TestWho());
  ASSERT_TRUE(created.ok());
  faults_.set_down(true);
  EXPECT_TRUE(absl::IsUnavailable(registry_.Create(Window(), TestWho()).status()));
  v1::MaintenanceWindow renamed = *created;
  renamed.set_name("other");
  EXPECT_TRUE(absl::IsUnavailable(registry_.Update(renamed, {}, TestWho()).status()));
  EXPECT_TRUE(absl::IsUnavailable(registry_.Delete(created->id(), TestWho())));
  EXPECT_EQ(registry_.size(), 1u);
  EXPECT_EQ(registry_.Get(created->id())->name(), "deploy");
  EXPECT_EQ(published_, 1);
  EXPECT_EQ(AuditEvents(audit_log_).size(), 1u);  // the create only
}

TEST_F(MaintenanceRegistryTest, UpdateWithMaskEndsEarlyAndRejectsBadPaths) {
  absl::StatusOr<v1::MaintenanceWindow> created = registry_.Create(Window(), TestWho());
  ASSERT_TRUE(created.ok());
  clock_.Advance(absl::Minutes(10));

  v1::MaintenanceWindow patch;
  patch.set_id(created->id());
  patch.set_name("ignored: not in the mask");
  ToProto(clock_.Now(), patch.mutable_end_time());
  google::protobuf::FieldMask mask;
  mask.add_paths("end_time");
  absl::StatusOr<v1::MaintenanceWindow> updated = registry_.Update(patch, mask, TestWho());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->name(), "deploy");
  EXPECT_FALSE(updated->active());
  EXPECT_EQ(FromProto(updated->update_time()), clock_.Now());
  EXPECT_EQ(updated->create_time().seconds(), created->create_time().seconds());
  EXPECT_FALSE(calendar_->InMaintenance(Monitor("mon-1"), clock_.Now()));

  for (const char* bad : {"id", "create_time", "active", "next_occurrence", "bogus"}) {
    google::protobuf::FieldMask m;
    m.add_paths(bad);
    absl::Status s = registry_.Update(patch, m, TestWho()).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(s.message()), HasSubstr("update_mask")) << bad;
  }
  // A bad result of a valid mask is refused whole.
  mask.Clear();
  mask.add_paths("monitor_ids");
  patch.add_monitor_ids("mon-404");
  absl::Status s = registry_.Update(patch, mask, TestWho()).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("window.monitor_ids[0]: unknown monitor"));
  EXPECT_TRUE(absl::IsNotFound(
      registry_.Update([] { v1::MaintenanceWindow w; w.set_id("mw-x"); return w; }(), {},
                       TestWho())
          .status()));
}

TEST_F(MaintenanceRegistryTest, ListPagesAndFiltersActive) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<v1::MaintenanceWindow> w =
        registry_.Create(Window(i % 2 == 0 ? absl::ZeroDuration() : absl::Hours(3)), TestWho());
    ASSERT_TRUE(w.ok());
    ids.push_back(w->id());
  }
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> seen;
  std::string token;
  do {
    absl::StatusOr<MaintenancePage> page = registry_.List(LabelSelector(), 2, token, false);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->windows.size(), 2u);
    for (const auto& w : page->windows) seen.push_back(w.id());
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(seen, ids);
  absl::StatusOr<MaintenancePage> active = registry_.List(LabelSelector(), 100, "", true);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->windows.size(), 3u);
  EXPECT_FALSE(registry_.List(LabelSelector(), 10, "%%%", false).ok());
}

TEST_F(MaintenanceRegistryTest, LabelsAreValidatedUpdatableListedAndAudited) {
  v1::MaintenanceWindow w = Window();
  (*w.mutable_labels())["managed-by"] = "uptimectl";
  absl::StatusOr<v1::MaintenanceWindow> created = registry_.Create(w, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->labels().at("managed-by"), "uptimectl");
  ASSERT_TRUE(registry_.Create(Window(), TestWho()).ok());

  v1::MaintenanceWindow bad = Window();
  (*bad.mutable_labels())[""] = "x";
  EXPECT_THAT(std::string(registry_.Create(bad, TestWho()).status().message()),
              HasSubstr("window.labels"));

  absl::StatusOr<LabelSelector> managed = LabelSelector::Parse("", "managed-by");
  ASSERT_TRUE(managed.ok());
  absl::StatusOr<MaintenancePage> page = registry_.List(*managed, 10, "", false);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->windows.size(), 1u);
  EXPECT_EQ(page->windows[0].id(), created->id());

  v1::MaintenanceWindow relabel;
  relabel.set_id(created->id());
  (*relabel.mutable_labels())["team"] = "core";
  google::protobuf::FieldMask mask;
  mask.add_paths("labels");
  absl::StatusOr<v1::MaintenanceWindow> updated = registry_.Update(relabel, mask, TestWho());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->labels().size(), 1u);
  EXPECT_EQ(updated->name(), "deploy");
  EXPECT_TRUE(registry_.List(*managed, 10, "", false)->windows.empty());
  EXPECT_EQ(store_.LoadWindows()->at(0).labels().size() + store_.LoadWindows()->at(1).labels().size(),
            1u);

  const std::vector<v1::AuditEvent> events = AuditEvents(audit_log_);
  ASSERT_FALSE(events.empty());
  EXPECT_THAT(events.back().before_json(), HasSubstr("\"managed-by\""));
  EXPECT_THAT(events.back().after_json(), HasSubstr("\"team\""));
}

TEST_F(MaintenanceRegistryTest, WindowStaysEditableAfterItsMonitorIsDeleted) {
  absl::StatusOr<v1::MaintenanceWindow> created = registry_.Create(Window(), TestWho());
  ASSERT_TRUE(created.ok());
  monitors_.erase("mon-1");
  v1::MaintenanceWindow patch = *created;
  patch.set_description("the monitor is gone, the plan is not");
  google::protobuf::FieldMask mask;
  mask.add_paths("description");
  EXPECT_TRUE(registry_.Update(patch, mask, TestWho()).ok());
  // Adding an unknown id is still refused.
  patch.add_monitor_ids("mon-404");
  mask.add_paths("monitor_ids");
  EXPECT_THAT(std::string(registry_.Update(patch, mask, TestWho()).status().message()),
              HasSubstr("window.monitor_ids[1]: unknown monitor"));
}

TEST_F(MaintenanceRegistryTest, DeleteAndLoad) {
  absl::StatusOr<v1::MaintenanceWindow> a = registry_.Create(Window(), TestWho());
  absl::StatusOr<v1::MaintenanceWindow> b = registry_.Create(Window(), TestWho());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(registry_.Delete(a->id(), TestWho()).ok());
  EXPECT_TRUE(absl::IsNotFound(registry_.Delete(a->id(), TestWho())));
  EXPECT_TRUE(absl::IsNotFound(registry_.Get(a->id()).status()));

  MaintenanceRegistry reloaded(&clock_, &store_, nullptr,
                               [this](std::shared_ptr<const MaintenanceCalendar> c) {
                                 calendar_ = std::move(c);
                               });
  ASSERT_TRUE(reloaded.Load().ok());
  EXPECT_EQ(reloaded.size(), 1u);
  EXPECT_EQ(calendar_->size(), 1u);
  EXPECT_TRUE(reloaded.Get(b->id()).ok());
}

TEST_F(MaintenanceRegistryTest, EveryChangeIsAuditedAsStored) {
  absl::StatusOr<v1::MaintenanceWindow> created = registry_.Create(Window(), TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  v1::MaintenanceWindow renamed = *created;
  renamed.set_name("deploy-2");
  ASSERT_TRUE(registry_.Update(renamed, {}, TestWho()).ok());
  // Refused: no record.
  EXPECT_TRUE(absl::IsNotFound(registry_.Delete("mw-nope", TestWho())));
  ASSERT_TRUE(registry_.Delete(created->id(), TestWho()).ok());

  std::vector<v1::AuditEvent> events = AuditEvents(audit_log_);
  ASSERT_EQ(events.size(), 3u);
  const std::vector<std::string> actions = {
      "maintenance_window.create", "maintenance_window.update", "maintenance_window.delete"};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].action(), actions[i]);
    EXPECT_EQ(events[i].resource_type(), "maintenance_window");
    EXPECT_EQ(events[i].resource_id(), created->id());
    EXPECT_TRUE(HasTestWho(events[i]));
  }
  EXPECT_EQ(events[0].before_json(), "");
  v1::MaintenanceWindow after = FromAuditJson<v1::MaintenanceWindow>(events[0].after_json());
  EXPECT_EQ(after.name(), "deploy");
  EXPECT_EQ(after.id(), created->id());
  EXPECT_FALSE(after.active());  // output-only fields are not part of the record
  EXPECT_EQ(FromAuditJson<v1::MaintenanceWindow>(events[1].before_json()).name(), "deploy");
  EXPECT_EQ(FromAuditJson<v1::MaintenanceWindow>(events[1].after_json()).name(), "deploy-2");
  EXPECT_EQ(FromAuditJson<v1::MaintenanceWindow>(events[2].before_json()).name(), "deploy-2");
  EXPECT_EQ(events[2].after_json(), "");
}

}  // namespace
}  // namespace uptime::coordinator
