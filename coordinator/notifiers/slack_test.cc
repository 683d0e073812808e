// The slack notifier end to end: what a Slack webhook receives.
#include "coordinator/notifiers/slack.h"

#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/webhook_sink.h"

namespace uptime::notifiers {
namespace {

using ::testing::ElementsAre;
using test::At;
using test::Item;
using test::ParseJson;
using test::Size;
using test::Str;
using uptime::testing::WebhookSink;

std::unique_ptr<Notifier> MakeSlack(const NotifierConfig& config, const NotifierDeps& deps = {}) {
  auto n = MakeSlackFactory()->Create(config, deps);
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *std::move(n) : nullptr;
}

TEST(SlackTest, DeliversBlockKitMessage) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto slack = MakeSlack({{"webhook_url", (*sink)->url("/services/T0/B0/xyz")},
                          {"channel", "#ops"},
                          {"username", "Uptime"}});
  ASSERT_TRUE(slack->Send(test::SampleDownAlert()).ok());

  ASSERT_EQ((*sink)->count(), 1u);
  const auto req = (*sink)->requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/services/T0/B0/xyz");
  EXPECT_EQ(req.Header("Content-Type"), "application/json");
  const auto msg = ParseJson(req.body);
  EXPECT_EQ(Str(msg, "text"), ":red_circle: api-prod is DOWN: status: HTTP 503 from eu-west");
  EXPECT_EQ(Str(msg, "channel"), "#ops");
  EXPECT_EQ(Str(msg, "username"), "Uptime");
  const auto& blocks = At(msg, "blocks");
  ASSERT_EQ(Size(blocks), 4);
  // Header: emoji, monitor name and new state.
  EXPECT_EQ(Str(Item(blocks, 0), "type"), "header");
  EXPECT_EQ(Str(At(Item(blocks, 0), "text"), "text"), ":red_circle: api-prod is DOWN");
  EXPECT_TRUE(At(At(Item(blocks, 0), "text"), "emoji").bool_value());
  // Fields: target, cause, since (UTC), how long, locations.
  const auto& fields = At(Item(blocks, 1), "fields");
  std::vector<std::string> texts;
  for (int i = 0; i < Size(fields); ++i) texts.push_back(Str(Item(fields, i), "text"));
  EXPECT_THAT(texts, ElementsAre("*Target*\nhttps://api.example.com/health",
                                 "*Cause*\nstatus: HTTP 503 from eu-west",
                                 "*Down since*\n2023-11-14 22:13:20 UTC", "*Down for*\n3m 20s",
                                 "*Locations*\neu-west, us-east"));
  // Context with the incident, and the dashboard button.
  EXPECT_EQ(Str(Item(At(Item(blocks, 2), "elements"), 0), "text"),
            "Incident `inc-42` · Uptime Monitor");
  const auto& button = Item(At(Item(blocks, 3), "elements"), 0);
  EXPECT_EQ(Str(button, "type"), "button");
  EXPECT_EQ(Str(button, "url"), "https://uptime.example.com/monitors/mon-1");
}

TEST(SlackTest, RecoveredAndGroupedMessages) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto slack = MakeSlack({{"webhook_url", (*sink)->url("/hook")}});
  ASSERT_TRUE(slack->Send(test::SampleRecoveredAlert()).ok());
  ASSERT_TRUE(slack->Send(test::SampleGroup(14)).ok());
  ASSERT_EQ((*sink)->count(), 2u);

  const auto recovered = ParseJson((*sink)->requests()[0].body);
  EXPECT_EQ(Str(At(Item(At(recovered, "blocks"), 0), "text"), "text"),
            ":large_green_circle: api-prod is UP");

  const auto storm = ParseJson((*sink)->requests()[1].body);
  EXPECT_EQ(Str(storm, "text"),
            ":red_circle: 14 monitors are DOWN: m0, m1, m2, m3, m4, m5, m6, m7, m8, m9 and 4 more");
  const std::string list = Str(At(Item(At(storm, "blocks"), 1), "text"), "text");
  EXPECT_THAT(list, ::testing::HasSubstr("• *m9* — host9:443"));
  EXPECT_THAT(list, ::testing::Not(::testing::HasSubstr("*m10*")));
  EXPECT_THAT(list, ::testing::EndsWith("…and 4 more"));
}

TEST(SlackTest, HttpsWebhookWithInjectedCa) {
  auto sink = WebhookSink::Start({.tls = true});
  ASSERT_TRUE(sink.ok()) << sink.status();
  NotifierDeps deps;
  deps.ca_file = (*sink)->cert_path();
  auto slack = MakeSlack({{"webhook_url", (*sink)->url("/hook")}}, deps);
  const absl::Status s = slack->Send(test::SampleDownAlert());
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ((*sink)->count(), 1u);
}

TEST(SlackTest, TestAlertFromTheChannelSettings) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto slack = MakeSlack({{"webhook_url", (*sink)->url("/hook")}});
  ASSERT_TRUE(slack->Send(MakeTestAlert(test::SampleTime(), "")).ok());
  const auto msg = ParseJson((*sink)->requests()[0].body);
  EXPECT_EQ(Str(At(Item(At(msg, "blocks"), 0), "text"), "text"),
            ":test_tube: Test message from Uptime Monitor");
}

}  // namespace
}  // namespace uptime::notifiers
