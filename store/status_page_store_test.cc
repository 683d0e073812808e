// StatusPageStore contract, run against the in-memory and PostgreSQL stores.
#include "store/status_page_store.h"

#include <memory>
#include <string>

#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_status_page_store.h"
#include "store/postgres/pg_status_page_store.h"
#include "store/testing/store_contract_test.h"
#include "store/testing/store_test_env.h"
#include "store/testing/test_audit_log.h"

namespace uptime::testing {
namespace {

// A page using every field, with text that needs escaping in SQL and JSON.
v1::StatusPage Page(const std::string& id, const std::string& slug) {
  v1::StatusPage p;
  p.set_id(id);
  p.set_slug(slug);
  p.set_title("Acme \"status\" \\ ünïcode");
  p.set_description("line one\nline two");
  p.set_logo_url("https://acme.example/logo.svg");
  p.set_homepage_url("https://acme.example/");
  v1::StatusPageGroup* api = p.add_groups();
  api->set_name("API");
  api->add_monitor_ids("mon-1");
  api->add_monitor_ids("mon,{2}");
  v1::StatusPageGroup* eu = p.add_groups();
  eu->set_name("Europe");
  eu->set_label_selector("region=eu,!canary");
  p.set_show_targets(true);
  p.set_hide_response_times(true);
  // Labels live only in the stored spec: they must survive a reload.
  (*p.mutable_labels())["managed-by"] = "uptimectl";
  (*p.mutable_labels())["team"] = "core \"ops\"";
  p.mutable_announcement()->set_text("Investigating slow logins");
  p.mutable_announcement()->set_level(v1::ANNOUNCEMENT_LEVEL_WARNING);
  ToProto(absl::FromUnixSeconds(1'800'000'000), p.mutable_announcement()->mutable_expire_time());
  ToProto(absl::FromUnixSeconds(1'700'000'000), p.mutable_create_time());
  ToProto(absl::FromUnixSeconds(1'700'000'100), p.mutable_update_time());
  return p;
}

template <typename Backend>
using StatusPageStoreTest = StoreContractTest<Backend, store::StatusPageStore,
                                              store::MemoryStatusPageStore,
                                              store::PgStatusPageStore>;

TYPED_TEST_SUITE(StatusPageStoreTest, StoreBackends, BackendNames);

TYPED_TEST(StatusPageStoreTest, InsertThenLoadReturnsWholePagesById) {
  const v1::StatusPage b = Page("sp-b", "acme");
  v1::StatusPage a = Page("sp-a", "zeta");
  a.clear_announcement();
  a.clear_groups();
  ASSERT_TRUE(this->store_->InsertPage(b, AnyAuditEvent()).ok());
  ASSERT_TRUE(this->store_->InsertPage(a, AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::StatusPage>> all = this->store_->LoadPages();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE(ProtoEq(a, (*all)[0]));
  EXPECT_TRUE(ProtoEq(b, (*all)[1]));
}

TYPED_TEST(StatusPageStoreTest, InsertRejectsTakenIdOrSlugAndSaysWhich) {
  ASSERT_TRUE(this->store_->InsertPage(Page("sp-a", "acme"), AnyAuditEvent()).ok());
  absl::Status same_id = this->store_->InsertPage(Page("sp-a", "other"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsAlreadyExists(same_id)) << same_id;
  EXPECT_NE(same_id.message().find("id 'sp-a'"), std::string::npos) << same_id;
  absl::Status same_slug = this->store_->InsertPage(Page("sp-b", "acme"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsAlreadyExists(same_slug)) << same_slug;
  EXPECT_NE(same_slug.message().find("slug 'acme' is taken"), std::string::npos) << same_slug;
  EXPECT_EQ(this->store_->LoadPages()->size(), 1u);
}

TYPED_TEST(StatusPageStoreTest, UpdateReplacesWholePageAndGuardsTheSlug) {
  ASSERT_TRUE(this->store_->InsertPage(Page("sp-a", "acme"), AnyAuditEvent()).ok());
  ASSERT_TRUE(this->store_->InsertPage(Page("sp-b", "beta"), AnyAuditEvent()).ok());
  // Fields cleared in the new version must not linger.
  v1::StatusPage changed = Page("sp-a", "acme-2");
  changed.clear_announcement();
  changed.mutable_groups()->RemoveLast();
  changed.set_title("Acme");
  changed.mutable_labels()->erase("team");
  ASSERT_TRUE(this->store_->UpdatePage(changed, AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::StatusPage>> all = this->store_->LoadPages();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE(ProtoEq(changed, (*all)[0]));

  // The old slug is free again; another page's is not.
  EXPECT_TRUE(this->store_->InsertPage(Page("sp-c", "acme"), AnyAuditEvent()).ok());
  absl::Status taken = this->store_->UpdatePage(Page("sp-a", "beta"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsAlreadyExists(taken)) << taken;
  EXPECT_EQ(this->store_->LoadPages()->at(0).slug(), "acme-2");
  absl::Status missing = this->store_->UpdatePage(Page("sp-x", "x"), AnyAuditEvent());
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
}

TYPED_TEST(StatusPageStoreTest, DeleteRemovesOnceThenNotFound) {
  ASSERT_TRUE(this->store_->InsertPage(Page("sp-a", "acme"), AnyAuditEvent()).ok());
  EXPECT_TRUE(this->store_->DeletePage("sp-a", AnyAuditEvent()).ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeletePage("sp-a", AnyAuditEvent())));
  EXPECT_TRUE(this->store_->LoadPages()->empty());
  // The slug of a deleted page can be used again.
  EXPECT_TRUE(this->store_->InsertPage(Page("sp-b", "acme"), AnyAuditEvent()).ok());
}

TYPED_TEST(StatusPageStoreTest, EachWriteRecordsItsEventAndFailuresNone) {
  const v1::AuditEvent create = TestAuditEvent("status_page.create", "status_page", "sp-a");
  ASSERT_TRUE(this->store_->InsertPage(Page("sp-a", "acme"), create).ok());
  ASSERT_TRUE(this->store_->InsertPage(Page("sp-b", "beta"), AnyAuditEvent()).ok());
  std::vector<v1::AuditEvent> events = this->log_.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(SameAuditEvent(create, events[0]));

  EXPECT_TRUE(absl::IsAlreadyExists(this->store_->InsertPage(Page("sp-a", "other"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsAlreadyExists(this->store_->InsertPage(Page("sp-c", "acme"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsAlreadyExists(this->store_->UpdatePage(Page("sp-a", "beta"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdatePage(Page("sp-x", "x"), AnyAuditEvent())));
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeletePage("sp-x", AnyAuditEvent())));
  EXPECT_EQ(this->log_.Events().size(), 2u);

  const v1::AuditEvent update = TestAuditEvent("status_page.update", "status_page", "sp-a");
  ASSERT_TRUE(this->store_->UpdatePage(Page("sp-a", "acme-2"), update).ok());
  const v1::AuditEvent remove = TestAuditEvent("status_page.delete", "status_page", "sp-a");
  ASSERT_TRUE(this->store_->DeletePage("sp-a", remove).ok());
  events = this->log_.Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_TRUE(SameAuditEvent(update, events[2]));
  EXPECT_TRUE(SameAuditEvent(remove, events[3]));
}

// PostgreSQL only: when the audit record cannot be written, the change is
// rolled back with it (one transaction). The log's table is dropped to make
// the record fail.
TEST(StatusPageStorePostgresTest, FailedRecordUndoesTheChange) {
  PostgresBackend backend;
  absl::Status up = SetUpWithoutAuditLog(backend);
  ASSERT_TRUE(up.ok()) << up;
  store::PgStatusPageStore store(backend.pool.get());
  EXPECT_FALSE(store.InsertPage(Page("sp-a", "acme"), AnyAuditEvent()).ok());
  absl::StatusOr<std::vector<v1::StatusPage>> all = store.LoadPages();
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->empty());
}

}  // namespace
}  // namespace uptime::testing
