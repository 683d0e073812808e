// CatalogStore contract, run against the in-memory and PostgreSQL stores.
#include "store/catalog_store.h"

#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/testing/store_test_env.h"

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
  ToProto(absl::FromUnixSeconds(1'700'000'000), c.mutable_create_time());
  return c;
}

template <typename Backend>
class CatalogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status up = backend_.SetUp();
    ASSERT_TRUE(up.ok()) << up;
    store_ = backend_.Catalog();
  }

  Backend backend_;
  std::unique_ptr<store::CatalogStore> store_;
};

TYPED_TEST_SUITE(CatalogStoreTest, StoreBackends, BackendNames);

TYPED_TEST(CatalogStoreTest, InsertThenLoadReturnsMonitorsById) {
  const v1::Monitor b = MakeMonitor("mon-b", "beta");
  const v1::Monitor a = MakeMonitor("mon-a", "alpha");
  ASSERT_TRUE(this->store_->InsertMonitor(b).ok());
  ASSERT_TRUE(this->store_->InsertMonitor(a).ok());
  absl::StatusOr<std::vector<v1::Monitor>> all = this->store_->LoadMonitors();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE(ProtoEq(a, (*all)[0]));
  EXPECT_TRUE(ProtoEq(b, (*all)[1]));
}

TYPED_TEST(CatalogStoreTest, InsertRejectsTakenIdOrName) {
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha")).ok());
  absl::Status same_name = this->store_->InsertMonitor(MakeMonitor("mon-b", "alpha"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_name)) << same_name;
  EXPECT_NE(same_name.message().find("name"), absl::string_view::npos) << same_name;
  absl::Status same_id = this->store_->InsertMonitor(MakeMonitor("mon-a", "other"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_id)) << same_id;
  EXPECT_NE(same_id.message().find("id"), absl::string_view::npos) << same_id;
  EXPECT_EQ(this->store_->LoadMonitors()->size(), 1u);
}

TYPED_TEST(CatalogStoreTest, UpdateReplacesAndChecksNames) {
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha")).ok());
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-b", "beta")).ok());
  v1::Monitor changed = MakeMonitor("mon-a", "alpha-2");
  changed.set_paused(true);
  ASSERT_TRUE(this->store_->UpdateMonitor(changed).ok());
  EXPECT_TRUE(ProtoEq(changed, this->store_->LoadMonitors()->at(0)));

  EXPECT_TRUE(absl::IsAlreadyExists(this->store_->UpdateMonitor(MakeMonitor("mon-a", "beta"))));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdateMonitor(MakeMonitor("mon-x", "x"))));
  // The name freed by the rename can be taken again.
  EXPECT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-c", "alpha")).ok());
}

TYPED_TEST(CatalogStoreTest, DeleteRemovesOnceThenNotFound) {
  ASSERT_TRUE(this->store_->InsertMonitor(MakeMonitor("mon-a", "alpha")).ok());
  EXPECT_TRUE(this->store_->DeleteMonitor("mon-a").ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteMonitor("mon-a")));
  EXPECT_TRUE(this->store_->LoadMonitors()->empty());
}

TYPED_TEST(CatalogStoreTest, ChannelsFollowTheSameContract) {
  const v1::Channel slack = MakeChannel("ch-1", "ops");
  ASSERT_TRUE(this->store_->InsertChannel(slack).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(this->store_->InsertChannel(MakeChannel("ch-2", "ops"))));
  absl::StatusOr<std::vector<v1::Channel>> all = this->store_->LoadChannels();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  // Secrets are stored in full: redaction is the API's job.
  EXPECT_TRUE(ProtoEq(slack, (*all)[0]));

  v1::Channel renamed = MakeChannel("ch-1", "ops-2");
  renamed.set_type("webhook");
  ASSERT_TRUE(this->store_->UpdateChannel(renamed).ok());
  EXPECT_TRUE(ProtoEq(renamed, this->store_->LoadChannels()->at(0)));
  EXPECT_TRUE(absl::IsNotFound(this->store_->UpdateChannel(MakeChannel("ch-9", "x"))));
  EXPECT_TRUE(this->store_->DeleteChannel("ch-1").ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->DeleteChannel("ch-1")));
}

}  // namespace
}  // namespace uptime::testing
