// ChannelRegistry (validation, redaction, write-through, delete guard) and
// NotificationService over an in-process gRPC server (scopes, TestChannel).
#include "coordinator/catalog/channel_registry.h"

#include <set>

#include "absl/strings/match.h"
#include "common/auth.h"
#include "coordinator/api/notification_service.h"
#include "coordinator/catalog/audit_test_support.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/webhook_sink.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_catalog_store.h"

namespace uptime::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using uptime::testing::ScriptedResponse;
using uptime::testing::WebhookSink;

constexpr char kSlackUrl[] = "https://hooks.slack.com/services/T000/B000/XXXXXXXXsecret1234";

v1::Channel Slack(const std::string& name, const std::string& url = kSlackUrl) {
  v1::Channel c;
  c.set_name(name);
  c.set_type("slack");
  (*c.mutable_config())["webhook_url"] = url;
  (*c.mutable_config())["channel"] = "#ops";
  return c;
}

google::protobuf::FieldMask Mask(std::initializer_list<const char*> paths) {
  google::protobuf::FieldMask m;
  for (const char* p : paths) m.add_paths(p);
  return m;
}

class ChannelRegistryTest : public ::testing::Test {
 protected:
  ChannelRegistryTest() {
    EXPECT_TRUE(notifiers::RegisterBuiltinNotifiers(&notifier_registry_).ok());
  }

  std::unique_ptr<ChannelRegistry> MakeRegistry() {
    return std::make_unique<ChannelRegistry>(
        &clock_, &store_, &notifier_registry_, Deps(),
        [this](const std::string& id) { return in_use_.count(id) > 0; });
  }

  notifiers::NotifierDeps Deps() {
    notifiers::NotifierDeps deps;
    deps.clock = &clock_;
    return deps;
  }

  SimulatedClock clock_;
  store::MemoryAccountStore audit_log_;
  store::MemoryCatalogStore store_{&audit_log_};
  notifiers::NotifierRegistry notifier_registry_;
  std::set<std::string> in_use_;
};

TEST_F(ChannelRegistryTest, CreateAssignsIdTimesAndRedactsSecrets) {
  auto channels = MakeRegistry();
  absl::StatusOr<v1::Channel> c = channels->Create(Slack("ops"), TestWho());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->id(), StartsWith("ch-"));
  EXPECT_EQ(c->id().size(), 3u + 16u);
  EXPECT_EQ(c->create_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(c->update_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(c->config().at("webhook_url"), "****1234");
  EXPECT_EQ(c->config().at("channel"), "#ops");  // not a secret

  absl::StatusOr<v1::Channel> got = channels->Get(c->id());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->config().at("webhook_url"), "****1234");
  absl::StatusOr<ChannelPage> page = channels->List(LabelSelector(), 10, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->channels.size(), 1u);
  EXPECT_EQ(page->channels[0].config().at("webhook_url"), "****1234");
  EXPECT_TRUE(channels->Exists(c->id()));
  EXPECT_FALSE(channels->Exists("ch-nope"));

  // Written through in full, and a fresh registry loads it.
  auto stored = store_.LoadChannels();
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].config().at("webhook_url"), kSlackUrl);
  auto reloaded = MakeRegistry();
  ASSERT_TRUE(reloaded->Load().ok());
  EXPECT_TRUE(reloaded->Exists(c->id()));
}

TEST_F(ChannelRegistryTest, ValidationNamesTheField) {
  auto channels = MakeRegistry();
  ASSERT_TRUE(channels->Create(Slack("ops"), TestWho()).ok());

  auto dup = channels->Create(Slack("ops"), TestWho());
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(dup.status().message()), StartsWith("channel.name: "));

  auto empty = channels->Create(Slack(""), TestWho());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(empty.status().message()), StartsWith("channel.name: "));

  auto too_long = channels->Create(Slack(std::string(201, 'x')), TestWho());
  EXPECT_THAT(std::string(too_long.status().message()), StartsWith("channel.name: "));
  EXPECT_TRUE(channels->Create(Slack(std::string(200, 'y')), TestWho()).ok());

  v1::Channel bad_type = Slack("t");
  bad_type.set_type("carrier-pigeon");
  auto t = channels->Create(bad_type, TestWho());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(t.status().message()), StartsWith("channel.type: "));

  auto url = channels->Create(Slack("u", "http://example.com/hook-secret-value"), TestWho());
  EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(url.status().message()), StartsWith("channel.config.webhook_url: "));
  EXPECT_THAT(std::string(url.status().message()), ::testing::Not(HasSubstr("hook-secret-value")));

  v1::Channel typo = Slack("k");
  (*typo.mutable_config())["chanel"] = "#x";
  auto k = channels->Create(typo, TestWho());
  EXPECT_THAT(std::string(k.status().message()), StartsWith("channel.config.chanel: "));
  EXPECT_EQ(channels->size(), 2u);
}

TEST_F(ChannelRegistryTest, UpdateKeepsSecretSentBackRedacted) {
  auto channels = MakeRegistry();
  auto c = channels->Create(Slack("ops"), TestWho());
  ASSERT_TRUE(c.ok());
  std::shared_ptr<notifiers::Notifier> before = *channels->NotifierFor(c->id());

  // Read-modify-write with the redacted secret.
  v1::Channel edit = *c;
  edit.set_name("ops-renamed");
  (*edit.mutable_config())["channel"] = "#alerts";
  clock_.Advance(absl::Seconds(10));
  auto updated = channels->Update(edit, {}, TestWho());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->name(), "ops-renamed");
  EXPECT_EQ(updated->config().at("channel"), "#alerts");
  EXPECT_EQ(updated->update_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(updated->create_time().seconds(), c->create_time().seconds());
  auto stored = store_.LoadChannels();
  EXPECT_EQ((*stored)[0].config().at("webhook_url"), kSlackUrl);
  // The notifier is recreated for the new config.
  EXPECT_NE(*channels->NotifierFor(c->id()), before);

  // The old name is free again; the new one is taken.
  EXPECT_TRUE(channels->Create(Slack("ops"), TestWho()).ok());
  EXPECT_EQ(channels->Create(Slack("ops-renamed"), TestWho()).status().code(),
            absl::StatusCode::kAlreadyExists);

  // A new secret replaces it; a mask limits what changes.
  v1::Channel rotate;
  rotate.set_id(c->id());
  rotate.set_name("ignored");
  (*rotate.mutable_config())["webhook_url"] = "https://hooks.slack.com/services/T/B/newsecret9876";
  auto rotated = channels->Update(rotate, Mask({"config"}), TestWho());
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(rotated->name(), "ops-renamed");
  EXPECT_EQ(rotated->config().at("webhook_url"), "****9876");
  EXPECT_EQ(rotated->config().count("channel"), 0u);  // config replaced as a whole

  EXPECT_EQ(channels->Update(rotate, Mask({"id"}), TestWho()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(channels->Update(rotate, Mask({"bogus"}), TestWho()).status().code(),
            absl::StatusCode::kInvalidArgument);
  rotate.set_id("ch-unknown");
  EXPECT_EQ(channels->Update(rotate, {}, TestWho()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ChannelRegistryTest, DeleteRefusedWhileInUse) {
  auto channels = MakeRegistry();
  auto c = channels->Create(Slack("ops"), TestWho());
  ASSERT_TRUE(c.ok());
  in_use_.insert(c->id());
  EXPECT_EQ(channels->Delete(c->id(), TestWho()).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(channels->Exists(c->id()));
  in_use_.clear();
  EXPECT_TRUE(channels->Delete(c->id(), TestWho()).ok());
  EXPECT_FALSE(channels->Exists(c->id()));
  EXPECT_TRUE(store_.LoadChannels()->empty());
  EXPECT_EQ(channels->Delete(c->id(), TestWho()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(channels->NotifierFor(c->id()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ChannelRegistryTest, ListPages) {
  auto channels = MakeRegistry();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(channels->Create(Slack("c" + std::to_string(i)), TestWho()).ok());
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = channels->List(LabelSelector(), 2, token);
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->channels) seen.insert(c.id());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(channels->List(LabelSelector(), 2, "garbage!").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ChannelRegistryTest, LabelsAreValidatedUpdatableListedAndAudited) {
  auto channels = MakeRegistry();
  v1::Channel ops = Slack("ops");
  (*ops.mutable_labels())["managed-by"] = "uptimectl";
  absl::StatusOr<v1::Channel> created = channels->Create(ops, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->labels().at("managed-by"), "uptimectl");
  ASSERT_TRUE(channels->Create(Slack("other"), TestWho()).ok());

  v1::Channel bad = Slack("bad");
  (*bad.mutable_labels())["no spaces"] = "x";
  EXPECT_THAT(std::string(channels->Create(bad, TestWho()).status().message()),
              StartsWith("channel.labels"));

  absl::StatusOr<LabelSelector> managed = LabelSelector::Parse("", "managed-by=uptimectl");
  ASSERT_TRUE(managed.ok());
  absl::StatusOr<ChannelPage> page = channels->List(*managed, 10, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->channels.size(), 1u);
  EXPECT_EQ(page->channels[0].id(), created->id());

  // Only the labels change; the stored secret stays.
  v1::Channel relabel;
  relabel.set_id(created->id());
  (*relabel.mutable_labels())["team"] = "ops";
  absl::StatusOr<v1::Channel> updated = channels->Update(relabel, Mask({"labels"}), TestWho());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->labels().size(), 1u);
  EXPECT_EQ(updated->labels().at("team"), "ops");
  EXPECT_EQ(updated->name(), "ops");
  EXPECT_EQ(updated->config().at("webhook_url"), "****1234");
  EXPECT_TRUE(channels->List(*managed, 10, "")->channels.empty());

  const std::vector<v1::AuditEvent> events = AuditEvents(audit_log_);
  ASSERT_FALSE(events.empty());
  EXPECT_THAT(events.back().before_json(), HasSubstr("\"managed-by\""));
  EXPECT_THAT(events.back().after_json(), HasSubstr("\"team\""));
}

// No secret, old or new, may reach the audit log: before and after are the
// channel as a client sees it (redacted).
TEST_F(ChannelRegistryTest, AuditRecordsAreRedacted) {
  auto channels = MakeRegistry();
  absl::StatusOr<v1::Channel> c = channels->Create(Slack("ops"), TestWho());
  ASSERT_TRUE(c.ok()) << c.status();
  constexpr char kNewUrl[] = "https://hooks.slack.com/services/T/B/rotatedsecret5678";
  v1::Channel rotate = *c;
  (*rotate.mutable_config())["webhook_url"] = kNewUrl;
  rotate.set_name("ops-2");
  ASSERT_TRUE(channels->Update(rotate, {}, TestWho()).ok());
  // Refused: no record.
  EXPECT_FALSE(channels->Create(Slack("ops-2"), TestWho()).ok());
  ASSERT_TRUE(channels->Delete(c->id(), TestWho()).ok());

  std::vector<v1::AuditEvent> events = AuditEvents(audit_log_);
  ASSERT_EQ(events.size(), 3u);
  const std::vector<std::string> actions = {"channel.create", "channel.update", "channel.delete"};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].action(), actions[i]);
    EXPECT_EQ(events[i].resource_type(), "channel");
    EXPECT_EQ(events[i].resource_id(), c->id());
    EXPECT_TRUE(HasTestWho(events[i]));
    const std::string all = events[i].DebugString();
    EXPECT_THAT(all, ::testing::Not(HasSubstr("secret1234"))) << all;
    EXPECT_THAT(all, ::testing::Not(HasSubstr("rotatedsecret"))) << all;
    EXPECT_THAT(all, ::testing::Not(HasSubstr("hooks.slack.com"))) << all;
  }
  EXPECT_EQ(events[0].before_json(), "");
  v1::Channel created = FromAuditJson<v1::Channel>(events[0].after_json());
  EXPECT_EQ(created.name(), "ops");
  EXPECT_EQ(created.config().at("webhook_url"), "****1234");
  EXPECT_EQ(created.config().at("channel"), "#ops");  // settings stay readable
  EXPECT_EQ(FromAuditJson<v1::Channel>(events[1].before_json()).config().at("webhook_url"),
            "****1234");
  v1::Channel updated = FromAuditJson<v1::Channel>(events[1].after_json());
  EXPECT_EQ(updated.name(), "ops-2");
  EXPECT_EQ(updated.config().at("webhook_url"), "****5678");
  EXPECT_EQ(FromAuditJson<v1::Channel>(events[2].before_json()).name(), "ops-2");
  EXPECT_EQ(events[2].after_json(), "");
}

// --- NotificationService over gRPC ---

class NotificationServiceTest : public ChannelRegistryTest {
 protected:
  void SetUp() override {
    channels_ = MakeRegistry();
    service_ = std::make_unique<NotificationServiceImpl>(&auth_, channels_.get(), &clock_,
                                                         "https://uptime.example.com");
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    stub_ = v1::NotificationService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    AttachToken(ctx.get(), token);
    return ctx;
  }

  TokenAuthorizer auth_{Tokens{"admin-token", "read-token", "agent-token"}};
  std::unique_ptr<ChannelRegistry> channels_;
  std::unique_ptr<NotificationServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::NotificationService::Stub> stub_;
};

TEST_F(NotificationServiceTest, ScopesAndCrud) {
  v1::CreateChannelRequest create;
  *create.mutable_channel() = Slack("ops");
  v1::Channel created;
  EXPECT_EQ(stub_->CreateChannel(Ctx("read-token").get(), create, &created).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateChannel(Ctx("").get(), create, &created).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(stub_->CreateChannel(Ctx("admin-token").get(), create, &created).ok());
  EXPECT_EQ(created.config().at("webhook_url"), "****1234");

  v1::GetChannelRequest get;
  get.set_id(created.id());
  v1::Channel got;
  ASSERT_TRUE(stub_->GetChannel(Ctx("read-token").get(), get, &got).ok());
  EXPECT_EQ(got.name(), "ops");
  v1::ListChannelsResponse list;
  ASSERT_TRUE(stub_->ListChannels(Ctx("read-token").get(), {}, &list).ok());
  EXPECT_EQ(list.channels_size(), 1);

  v1::UpdateChannelRequest update;
  *update.mutable_channel() = got;
  update.mutable_channel()->set_name("ops2");
  update.mutable_update_mask()->add_paths("name");
  v1::Channel updated;
  EXPECT_EQ(stub_->UpdateChannel(Ctx("read-token").get(), update, &updated).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->UpdateChannel(Ctx("admin-token").get(), update, &updated).ok());
  EXPECT_EQ(updated.name(), "ops2");

  v1::CreateChannelRequest bad;
  *bad.mutable_channel() = Slack("x");
  bad.mutable_channel()->set_type("nope");
  grpc::Status s = stub_->CreateChannel(Ctx("admin-token").get(), bad, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), StartsWith("channel.type: "));

  in_use_.insert(got.id());
  v1::DeleteChannelRequest del;
  del.set_id(got.id());
  google::protobuf::Empty empty;
  EXPECT_EQ(stub_->DeleteChannel(Ctx("admin-token").get(), del, &empty).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  in_use_.clear();
  EXPECT_EQ(stub_->DeleteChannel(Ctx("read-token").get(), del, &empty).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->DeleteChannel(Ctx("admin-token").get(), del, &empty).ok());
  EXPECT_EQ(stub_->GetChannel(Ctx("read-token").get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Only the three changes that happened are recorded, each saying who made
  // it, with which credential and from where.
  std::vector<v1::AuditEvent> events = AuditEvents(audit_log_);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].action(), "channel.create");
  EXPECT_EQ(events[1].action(), "channel.update");
  EXPECT_EQ(events[2].action(), "channel.delete");
  for (const v1::AuditEvent& e : events) {
    EXPECT_EQ(e.actor(), "admin-token");
    EXPECT_EQ(e.credential(), "static_token");
    EXPECT_FALSE(e.client_address().empty());
    EXPECT_EQ(e.time().seconds(), absl::ToUnixSeconds(clock_.Now()));
    EXPECT_EQ(e.resource_id(), created.id());
    EXPECT_THAT(e.DebugString(), ::testing::Not(HasSubstr("secret1234")));
  }
}

TEST_F(NotificationServiceTest, TestChannelDeliversAndReportsErrorsWithoutSecrets) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  const std::string url = (*sink)->url("/services/T0/B0/topsecretpath");
  v1::CreateChannelRequest create;
  *create.mutable_channel() = Slack("ops", url);
  v1::Channel created;
  ASSERT_TRUE(stub_->CreateChannel(Ctx("admin-token").get(), create, &created).ok());

  v1::TestChannelRequest test;
  test.set_id(created.id());
  v1::TestChannelResponse resp;
  EXPECT_EQ(stub_->TestChannel(Ctx("read-token").get(), test, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->TestChannel(Ctx("admin-token").get(), test, &resp).ok());
  EXPECT_TRUE(resp.delivered()) << resp.error();
  ASSERT_EQ((*sink)->count(), 1u);
  EXPECT_THAT((*sink)->requests()[0].body, HasSubstr("Test message"));

  (*sink)->ScriptResponses({ScriptedResponse{404, "no_service", ""}});
  ASSERT_TRUE(stub_->TestChannel(Ctx("admin-token").get(), test, &resp).ok());
  EXPECT_FALSE(resp.delivered());
  EXPECT_FALSE(resp.error().empty());
  EXPECT_THAT(resp.error(), ::testing::Not(HasSubstr("topsecretpath")));

  test.set_id("ch-missing");
  EXPECT_EQ(stub_->TestChannel(Ctx("admin-token").get(), test, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace uptime::coordinator
