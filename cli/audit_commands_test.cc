// `uptimectl audit` against a fake coordinator: filters, --limit across
// pages, newest first, output formats.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::AuditEvent Event(int64_t id, const std::string& actor, const std::string& action,
                     const std::string& type, const std::string& resource_id) {
  v1::AuditEvent e;
  e.set_id(id);
  e.mutable_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Minutes(10 - id)));
  e.set_actor(actor);
  e.set_credential("session");
  e.set_action(action);
  e.set_resource_type(type);
  e.set_resource_id(resource_id);
  return e;
}

class AuditTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    fake_.AddAuditEvent(Event(1, "admin-token", "user.create", "user", "u-00000000000000a1"));
    v1::AuditEvent update = Event(2, "alice", "monitor.update", "monitor", "m-1");
    update.set_before_json(R"({"name":"api"})");
    update.set_after_json(R"({"name":"api v2"})");
    fake_.AddAuditEvent(update);
    fake_.AddAuditEvent(Event(3, "anonymous", "session.login_failed", "", ""));
    fake_.AddAuditEvent(Event(4, "alice", "api_key.revoke", "api_key", "k-1"));
  }
};

TEST_F(AuditTest, TableNewestFirst) {
  fake_.SetMaxPageSize(3);
  ASSERT_EQ(Run({"audit"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("TIME (UTC)           ACTOR        ACTION                RESOURCE",
                          "2023-11-14 22:07:20  alice        api_key.revoke        api_key k-1",
                          "2023-11-14 22:06:20  anonymous    session.login_failed  -",
                          "2023-11-14 22:05:20  alice        monitor.update        monitor m-1",
                          "2023-11-14 22:04:20  admin-token  user.create           user "
                          "u-00000000000000a1"));
  EXPECT_EQ(err(), "");
  EXPECT_EQ(fake_.calls(), 2);  // 50 wanted, 3 a page
}

TEST_F(AuditTest, FiltersAreSent) {
  ASSERT_EQ(
      Run({"audit", "--actor", "alice", "--resource-type", "monitor", "--resource-id", "m-1"}),
      kExitOk)
      << err();
  std::optional<v1::ListAuditEventsRequest> sent = fake_.Last<v1::ListAuditEventsRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->actor(), "alice");
  EXPECT_EQ(sent->resource_type(), "monitor");
  EXPECT_EQ(sent->resource_id(), "m-1");
  EXPECT_EQ(sent->page_size(), 50);
  EXPECT_EQ(Lines(out()).size(), 2u);
  EXPECT_THAT(out(), HasSubstr("monitor.update"));
}

TEST_F(AuditTest, LimitAndPageToken) {
  ASSERT_EQ(Run({"audit", "--limit", "3"}), kExitOk) << err();  // pages of 2 in the fake
  EXPECT_EQ(Lines(out()).size(), 4u);
  EXPECT_EQ(err(), "older events: add --page-token 2 (or a larger --limit)\n");
  EXPECT_EQ(fake_.Last<v1::ListAuditEventsRequest>()->page_size(), 1);

  ASSERT_EQ(Run({"audit", "--page-token", "2"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()), ElementsAre(HasSubstr("TIME"), HasSubstr("user.create")));
  EXPECT_EQ(err(), "");

  EXPECT_EQ(Run({"audit", "--limit", "0"}), kExitUsage);
  EXPECT_EQ(err(), "error: --limit: expected at least 1, got 0\n");
}

TEST_F(AuditTest, JsonAndYamlCarryEveryField) {
  ASSERT_EQ(Run({"-o", "json", "audit", "--actor", "alice"}), kExitOk) << err();
  v1::ListAuditEventsResponse printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  ASSERT_EQ(printed.events_size(), 2);
  EXPECT_EQ(printed.events(0).id(), 4);
  EXPECT_EQ(printed.events(1).after_json(), R"({"name":"api v2"})");
  EXPECT_EQ(printed.events(1).credential(), "session");

  ASSERT_EQ(Run({"-o", "yaml", "audit", "--resource-id", "m-1"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("action: monitor.update"));
  EXPECT_THAT(out(), HasSubstr("beforeJson:"));
}

TEST_F(AuditTest, EmptyAndRefused) {
  ASSERT_EQ(Run({"audit", "--actor", "nobody"}), kExitOk) << err();
  EXPECT_EQ(out(), "");
  EXPECT_EQ(err(), "no audit events found\n");

  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs the admin role"));
  EXPECT_EQ(Run({"audit"}), kExitDenied);
  EXPECT_EQ(err(), "error: PERMISSION_DENIED: needs the admin role\n");
}

}  // namespace
}  // namespace uptime::cli
