// MaintenanceStore contract, run against the in-memory and PostgreSQL stores.
#include "store/maintenance_store.h"

#include <memory>
#include <string>

#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_maintenance_store.h"
#include "store/postgres/pg_maintenance_store.h"
#include "store/testing/store_contract_test.h"
#include "store/testing/store_test_env.h"
#include "store/testing/test_audit_log.h"

namespace uptime::testing {
namespace {

v1::MaintenanceWindow OneOff(const std::string& id, const std::string& name) {
  v1::MaintenanceWindow w;
  w.set_id(id);
  w.set_name(name);
  w.set_description("quarterly \"database\" upgrade\\n");
  w.add_monitor_ids("mon-1");
  w.add_monitor_ids("mon,{2}");
  // Labels live only in the stored spec: they must survive a reload.
  (*w.mutable_labels())["managed-by"] = "uptimectl";
  ToProto(absl::FromUnixSeconds(1'800'000'000), w.mutable_start_time());
  ToProto(absl::FromUnixSeconds(1'800'003'600), w.mutable_end_time());
  ToProto(absl::FromUnixSeconds(1'700'000'000), w.mutable_create_time());
  ToProto(absl::FromUnixSeconds(1'700'000'100), w.mutable_update_time());
  return w;
}

v1::MaintenanceWindow Recurring(const std::string& id, const std::string& name) {
  v1::MaintenanceWindow w;
  w.set_id(id);
  w.set_name(name);
  w.set_label_selector("team=core,!canary");
  (*w.mutable_labels())["team"] = "core \"ops\"";
  v1::Recurrence* r = w.mutable_recurrence();
  r->add_days(v1::WEEKDAY_SATURDAY);
  r->add_days(v1::WEEKDAY_SUNDAY);
  r->set_start_time_of_day("02:30");
  r->mutable_duration()->set_seconds(7200);
  r->set_time_zone("Europe/Berlin");
  ToProto(absl::FromUnixSeconds(1'700'000'000), w.mutable_create_time());
  ToProto(absl::FromUnixSeconds(1'700'000'000), w.mutable_update_time());
  return w;
}

template <typename Backend>
using MaintenanceStoreTest = StoreContractTest<Backend, store::MaintenanceStore,
                                               store::MemoryMaintenanceStore,
                                               store::PgMaintenanceStore>;

TYPED_TEST_SUITE(MaintenanceStoreTest, StoreBackends, BackendNames);

TYPED_TEST(MaintenanceStoreTest, InsertThenLoadReturnsWholeWindowsById) {
  const v1::MaintenanceWindow b = Recurring("mw-b", "weekend");
  const v1::MaintenanceWindow a = OneOff("mw-a", "upgrade");
  ASSERT_TRUE(this->store_->InsertWindow(b, AnyAuditEvent()).ok());
  ASSERT_TRUE(this->store_->InsertWindow(a, AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> all = this->store_->LoadWindows();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE(ProtoEq(a, (*all)[0]));
  EXPECT_TRUE(ProtoEq(b, (*all)[1]));
}

TYPED_TEST(MaintenanceStoreTest, InsertRejectsTakenIdButNotTakenName) {
  ASSERT_TRUE(this->store_->InsertWindow(OneOff("mw-a", "deploy"), AnyAuditEvent()).ok());
  absl::Status same_id = this->store_->InsertWindow(OneOff("mw-a", "other"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsAlreadyExists(same_id)) << same_id;
  // The same planned change may be scheduled many times under one name.
  EXPECT_TRUE(this->store_->InsertWindow(OneOff("mw-b", "deploy"), AnyAuditEvent()).ok());
  EXPECT_EQ(this->store_->LoadWindows()->size(), 2u);
}

TYPED_TEST(MaintenanceStoreTest, UpdateReplacesWholeWindow) {
  ASSERT_TRUE(this->store_->InsertWindow(OneOff("mw-a", "upgrade"), AnyAuditEvent()).ok());
  // One-off becomes recurring: the old bounds must not linger.
  v1::MaintenanceWindow changed = Recurring("mw-a", "upgrade-2");
  ASSERT_TRUE(this->store_->UpdateWindow(changed, AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> all = this->store_->LoadWindows();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE(ProtoEq(changed, (*all)[0]));
  absl::Status missing = this->store_->UpdateWindow(OneOff("mw-x", "x"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
}

TYPED_TEST(MaintenanceStoreTest, DeleteRemovesOnceThenNotFound) {
  ASSERT_TRUE(this->store_->InsertWindow(OneOff("mw-a", "upgrade"), AnyAuditEvent()).ok());
  EXPECT_TRUE(this->store_->DeleteWindow("mw-a", AnyAuditEvent()).ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteWindow("mw-a", AnyAuditEvent())));
  EXPECT_TRUE(this->store_->LoadWindows()->empty());
}

TYPED_TEST(MaintenanceStoreTest, EachWriteRecordsItsEventAndFailuresNone) {
  const v1::AuditEvent create =
      TestAuditEvent("maintenance_window.create", "maintenance_window", "mw-a");
  ASSERT_TRUE(this->store_->InsertWindow(OneOff("mw-a", "upgrade"), create).ok());
  std::vector<v1::AuditEvent> events = this->log_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(SameAuditEvent(create, events[0]));

  EXPECT_TRUE(absl::IsAlreadyExists(this->store_->InsertWindow(OneOff("mw-a", "x"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdateWindow(OneOff("mw-x", "x"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteWindow("mw-x", AnyAuditEvent())));
  EXPECT_EQ(this->log_.Events().size(), 1u);

  const v1::AuditEvent update =
      TestAuditEvent("maintenance_window.update", "maintenance_window", "mw-a");
  ASSERT_TRUE(this->store_->UpdateWindow(Recurring("mw-a", "weekend"), update).ok());
  const v1::AuditEvent remove =
      TestAuditEvent("maintenance_window.delete", "maintenance_window", "mw-a");
  ASSERT_TRUE(this->store_->DeleteWindow("mw-a", remove).ok());
  events = this->log_.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(SameAuditEvent(update, events[1]));
  EXPECT_TRUE(SameAuditEvent(remove, events[2]));
}

// PostgreSQL only: when the audit record cannot be written, the change is
// rolled back with it (one transaction). The log's table is dropped to make
// the record fail.
TEST(MaintenanceStorePostgresTest, FailedRecordUndoesTheChange) {
  PostgresBackend backend;
  absl::Status up = SetUpWithoutAuditLog(backend);
  ASSERT_TRUE(up.ok()) << up;
  store::PgMaintenanceStore store(backend.pool.get());
  EXPECT_FALSE(store.InsertWindow(OneOff("mw-a", "upgrade"), AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> all = store.LoadWindows();
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->empty());
}

}  // namespace
}  // namespace uptime::testing
