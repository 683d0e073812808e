// CatalogStore contract, run against the in-memory and PostgreSQL stores.
#include "store/catalog_store.h"

#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_catalog_store.h"
#include "store/postgres/pg_catalog_store.h"
#include "store/testing/store_contract_test.h"
#include "store/testing/store_test_env.h"
#include "store/testing/test_audit_log.h"

namespace uptime::testing {
namespace {

v1::Monitor MakeMonitor(const std::string& id, const std::string& name) {
  v1::Monitor m;
  m.set_id(id);
  m.set_name(name);
  (*m.mutable_labels())["team"] = "payments";
  (*m.mutable_labels())["quote\"d"] = "back\\slash";
  m.mutable_http()->set_url("https://example.com/health");
  m.mutable_interval()->set_seconds(30);
  m.set_failure_threshold(3);
  m.add_channel_ids("ch-1");
  ToProto(absl::FromUnixSeconds(1'700'000'000), m.mutable_create_time());
  ToProto(absl::FromUnixSeconds(1'700'000'100), m.mutable_update_time());
  return m;
}

v1::Channel MakeChannel(const std::string& id, const std::string& name) {
  v1::Channel c;
  c.set_id(id);
  c.set_name(name);
  c.set_type("slack");
  (*c.mutable_config())["webhook_url"] = "https://hooks.slack.test/T000/B000/secret";
  // Labels live only in the stored spec: they must survive a reload.
  (*c.mutable_labels())["managed-by"] = "uptimectl";
  (*c.mutable_labels())["team"] = "core \"ops\"";
  ToProto(absl::FromUnixSeconds(1'700'000'000), c.mutable_create_time());
  return c;
}

template <typename Backend>
using CatalogStoreTest = StoreContractTest<Backend, store::CatalogStore, store::MemoryCatalogStore,
                                           store::PgCatalogStore>;

TYPED_TEST_SUITE(CatalogStoreTest, StoreBackends, BackendNames);

TYPED_TEST(CatalogStoreTest, InsertThenLoadReturnsMonitorsById) {
  const v1::Monitor b = MakeMonitor("mon-b", "beta");
  const v1::Monitor a = MakeMonitor("mon-a", "alpha");
  ASSERT_TRUE(this->store_->InsertMonitor(b, AnyAuditEvent()).ok());
  ASSERT_TRUE(this->store_->InsertMonitor(a, AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::Monitor>> all = this->store_->LoadMonitors();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE(ProtoEq(a, (*all)[0]));
  EXPECT_TRUE(ProtoEq(b, (*all)[1]));
}

TYPED_TEST(CatalogStoreTest, InsertRejectsTakenIdOrName) {
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha"), AnyAuditEvent()).ok());
  absl::Status same_name = this->store_->InsertMonitor(MakeMonitor("mon-b", "alpha"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsAlreadyExists(same_name)) << same_name;
  EXPECT_NE(same_name.message().find("name"), absl::string_view::npos) << same_name;
  absl::Status same_id = this->store_->InsertMonitor(MakeMonitor("mon-a", "other"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsAlreadyExists(same_id)) << same_id;
  EXPECT_NE(same_id.message().find("id"), absl::string_view::npos) << same_id;
  EXPECT_EQ(this->store_->LoadMonitors()->size(), 1u);
}

TYPED_TEST(CatalogStoreTest, UpdateReplacesAndChecksNames) {
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha"), AnyAuditEvent()).ok());
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-b", "beta"), AnyAuditEvent()).ok());
  v1::Monitor changed = MakeMonitor("mon-a", "alpha-2");
  changed.set_paused(true);
  ASSERT_TRUE(this->store_->UpdateMonitor(changed, AnyAuditEvent()).ok());
  EXPECT_TRUE(ProtoEq(changed, this->store_->LoadMonitors()->at(0)));

  EXPECT_TRUE(
      absl::IsAlreadyExists(this->store_->UpdateMonitor(MakeMonitor("mon-a", "beta"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdateMonitor(MakeMonitor("mon-x", "x"), AnyAuditEvent())));
  // The name freed by the rename can be taken again.
  EXPECT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-c", "alpha"), AnyAuditEvent()).ok());
}

TYPED_TEST(CatalogStoreTest, DeleteRemovesOnceThenNotFound) {
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha"), AnyAuditEvent()).ok());
  EXPECT_TRUE(this->store_->DeleteMonitor("mon-a", AnyAuditEvent()).ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteMonitor("mon-a", AnyAuditEvent())));
  EXPECT_TRUE(this->store_->LoadMonitors()->empty());
}

TYPED_TEST(CatalogStoreTest, ChannelsFollowTheSameContract) {
  const v1::Channel slack = MakeChannel("ch-1", "ops");
  ASSERT_TRUE(this->store_->InsertChannel(slack, AnyAuditEvent()).ok());
  EXPECT_TRUE(
      absl::IsAlreadyExists(this->store_->InsertChannel(MakeChannel("ch-2", "ops"), AnyAuditEvent())));
  absl::StatusOr<std::vector<v1::Channel>> all = this->store_->LoadChannels();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  // Secrets are stored in full: redaction is the API's job.
  EXPECT_TRUE(ProtoEq(slack, (*all)[0]));

  v1::Channel renamed = MakeChannel("ch-1", "ops-2");
  renamed.set_type("webhook");
  renamed.mutable_labels()->erase("team");
  (*renamed.mutable_labels())["env"] = "prod";
  ASSERT_TRUE(this->store_->UpdateChannel(renamed, AnyAuditEvent()).ok());
  EXPECT_TRUE(ProtoEq(renamed, this->store_->LoadChannels()->at(0)));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdateChannel(MakeChannel("ch-9", "x"), AnyAuditEvent())));
  EXPECT_TRUE(this->store_->DeleteChannel("ch-1", AnyAuditEvent()).ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteChannel("ch-1", AnyAuditEvent())));
}

TYPED_TEST(CatalogStoreTest, EachMonitorWriteRecordsItsEvent) {
  const v1::AuditEvent create = TestAuditEvent("monitor.create", "monitor", "mon-a");
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha"), create).ok());
  std::vector<v1::AuditEvent> events = this->log_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(SameAuditEvent(create, events[0]));

  const v1::AuditEvent update = TestAuditEvent("monitor.update", "monitor", "mon-a");
  ASSERT_TRUE(this->store_->UpdateMonitor(MakeMonitor("mon-a", "alpha-2"), update).ok());
  const v1::AuditEvent remove = TestAuditEvent("monitor.delete", "monitor", "mon-a");
  ASSERT_TRUE(this->store_->DeleteMonitor("mon-a", remove).ok());
  events = this->log_.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(SameAuditEvent(update, events[1]));
  EXPECT_TRUE(SameAuditEvent(remove, events[2]));
  EXPECT_LT(events[0].id(), events[1].id());
  EXPECT_LT(events[1].id(), events[2].id());
}

TYPED_TEST(CatalogStoreTest, FailedMonitorWritesRecordNothing) {
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha"), AnyAuditEvent()).ok());
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-b", "beta"), AnyAuditEvent()).ok());
  const size_t before = this->log_.Events().size();
  EXPECT_TRUE(absl::IsAlreadyExists(
      this->store_->InsertMonitor(MakeMonitor("mon-a", "other"), AnyAuditEvent())));  // id taken
  EXPECT_TRUE(absl::IsAlreadyExists(
      this->store_->InsertMonitor(MakeMonitor("mon-c", "alpha"), AnyAuditEvent())));  // name taken
  EXPECT_TRUE(absl::IsAlreadyExists(
      this->store_->UpdateMonitor(MakeMonitor("mon-a", "beta"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdateMonitor(MakeMonitor("mon-x", "x"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteMonitor("mon-x", AnyAuditEvent())));
  EXPECT_EQ(this->log_.Events().size(), before);
}

TYPED_TEST(CatalogStoreTest, EachChannelWriteRecordsItsEventAndFailuresNone) {
  const v1::AuditEvent create = TestAuditEvent("channel.create", "channel", "ch-1");
  ASSERT_TRUE(this->store_->InsertChannel(MakeChannel("ch-1", "ops"), create).ok());
  EXPECT_TRUE(
      absl::IsAlreadyExists(this->store_->InsertChannel(MakeChannel("ch-2", "ops"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdateChannel(MakeChannel("ch-9", "x"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteChannel("ch-9", AnyAuditEvent())));
  const v1::AuditEvent update = TestAuditEvent("channel.update", "channel", "ch-1");
  ASSERT_TRUE(this->store_->UpdateChannel(MakeChannel("ch-1", "ops-2"), update).ok());
  const v1::AuditEvent remove = TestAuditEvent("channel.delete", "channel", "ch-1");
  ASSERT_TRUE(this->store_->DeleteChannel("ch-1", remove).ok());
  std::vector<v1::AuditEvent> events = this->log_.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(SameAuditEvent(create, events[0]));
  EXPECT_TRUE(SameAuditEvent(update, events[1]));
  EXPECT_TRUE(SameAuditEvent(remove, events[2]));
}

// PostgreSQL only: when the audit record cannot be written, the change is
// rolled back with it (one transaction). The log's table is dropped to make
// the record fail.
TEST(CatalogStorePostgresTest, FailedRecordUndoesTheChange) {
  PostgresBackend backend;
  absl::Status up = SetUpWithoutAuditLog(backend);
  ASSERT_TRUE(up.ok()) << up;
  store::PgCatalogStore store(backend.pool.get());
  EXPECT_FALSE(store.InsertMonitor(MakeMonitor("mon-a", "alpha"), AnyAuditEvent()).ok());
  EXPECT_FALSE(store.InsertChannel(MakeChannel("ch-1", "ops"), AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::Monitor>> monitors = store.LoadMonitors();
  ASSERT_TRUE(monitors.ok()) << monitors.status();
  EXPECT_TRUE(monitors->empty());
  EXPECT_TRUE(store.LoadChannels()->empty());
}

}  // namespace
}  // namespace uptime::testing
