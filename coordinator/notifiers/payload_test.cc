// Payload formatting of slack, webhook and pagerduty, field by field, with
// no network involved.
#include "absl/strings/match.h"
#include "coordinator/notifiers/alert_json.h"
#include "coordinator/notifiers/pagerduty.h"
#include "coordinator/notifiers/slack.h"
#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::notifiers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using test::At;
using test::Has;
using test::Item;
using test::ParseJson;
using test::Size;
using test::Str;

// The mrkdwn texts of the first section's fields.
std::vector<std::string> FieldTexts(const google::protobuf::Value& msg) {
  std::vector<std::string> out;
  const auto& blocks = At(msg, "blocks");
  for (int i = 0; i < Size(blocks); ++i) {
    if (Str(Item(blocks, i), "type") != "section" || !Has(Item(blocks, i), "fields")) continue;
    const auto& fields = At(Item(blocks, i), "fields");
    for (int j = 0; j < Size(fields); ++j) {
      EXPECT_EQ(Str(Item(fields, j), "type"), "mrkdwn");
      out.push_back(Str(Item(fields, j), "text"));
    }
  }
  return out;
}

TEST(SlackPayloadTest, DownAlertBlocks) {
  const auto msg = ParseJson(SlackPayload(test::SampleDownAlert(), {}));
  EXPECT_EQ(Str(msg, "text"), ":red_circle: api-prod is DOWN: status: HTTP 503 from eu-west");
  EXPECT_FALSE(Has(msg, "channel"));
  const auto& blocks = At(msg, "blocks");
  ASSERT_EQ(Size(blocks), 4);
  EXPECT_EQ(Str(Item(blocks, 0), "type"), "header");
  EXPECT_EQ(Str(At(Item(blocks, 0), "text"), "type"), "plain_text");
  EXPECT_EQ(Str(At(Item(blocks, 0), "text"), "text"), ":red_circle: api-prod is DOWN");
  EXPECT_THAT(FieldTexts(msg),
              ElementsAre("*Target*\nhttps://api.example.com/health",
                          "*Cause*\nstatus: HTTP 503 from eu-west",
                          "*Down since*\n2023-11-14 22:13:20 UTC", "*Down for*\n3m 20s",
                          "*Locations*\neu-west, us-east"));
  EXPECT_EQ(Str(Item(blocks, 2), "type"), "context");
  EXPECT_EQ(Str(Item(At(Item(blocks, 2), "elements"), 0), "text"),
            "Incident `inc-42` · Uptime Monitor");
  EXPECT_EQ(Str(Item(blocks, 3), "type"), "actions");
  const auto& button = Item(At(Item(blocks, 3), "elements"), 0);
  EXPECT_EQ(Str(button, "type"), "button");
  EXPECT_EQ(Str(At(button, "text"), "text"), "Open dashboard");
  EXPECT_EQ(Str(button, "url"), "https://uptime.example.com/monitors/mon-1");
}

TEST(SlackPayloadTest, RecoveredAlertAndOptions) {
  SlackOptions options;
  options.channel = "#ops";
  options.username = "Uptime";
  Alert a = test::SampleRecoveredAlert();
  a.cause.clear();
  const auto msg = ParseJson(SlackPayload(a, options));
  EXPECT_EQ(Str(msg, "channel"), "#ops");
  EXPECT_EQ(Str(msg, "username"), "Uptime");
  EXPECT_EQ(Str(msg, "text"), ":large_green_circle: api-prod is UP after 3m 20s");
  EXPECT_EQ(Str(At(Item(At(msg, "blocks"), 0), "text"), "text"),
            ":large_green_circle: api-prod is UP");
  EXPECT_THAT(FieldTexts(msg), ::testing::Contains("*Was down for*\n3m 20s"));
  EXPECT_THAT(FieldTexts(msg), ::testing::Contains("*Up since*\n2023-11-14 22:16:40 UTC"));
}

TEST(SlackPayloadTest, EscapesMrkdwnAndDropsLinkWithoutDashboard) {
  Alert a = test::SampleDownAlert();
  a.cause = "<!channel> & <html>";
  a.dashboard_base_url.clear();
  const auto msg = ParseJson(SlackPayload(a, {}));
  EXPECT_THAT(Str(msg, "text"), HasSubstr("&lt;!channel&gt; &amp; &lt;html&gt;"));
  EXPECT_THAT(FieldTexts(msg), ::testing::Contains("*Cause*\n&lt;!channel&gt; &amp; &lt;html&gt;"));
  const auto& blocks = At(msg, "blocks");
  for (int i = 0; i < Size(blocks); ++i) EXPECT_NE(Str(Item(blocks, i), "type"), "actions");
}

TEST(SlackPayloadTest, GroupListsFirstMonitorsAndCountsTheRest) {
  SlackOptions options;
  options.max_group_lines = 3;
  const auto msg = ParseJson(SlackPayload(test::SampleGroup(5), options));
  EXPECT_EQ(Str(msg, "text"), ":red_circle: 5 monitors are DOWN: m0, m1, m2 and 2 more");
  const auto& blocks = At(msg, "blocks");
  EXPECT_EQ(Str(At(Item(blocks, 0), "text"), "text"), ":red_circle: 5 monitors are DOWN");
  const std::string list = Str(At(Item(blocks, 1), "text"), "text");
  EXPECT_EQ(list,
            "• *m0* — host0:443 — status: HTTP 503 from eu-west\n"
            "• *m1* — host1:443 — status: HTTP 503 from eu-west\n"
            "• *m2* — host2:443 — status: HTTP 503 from eu-west\n"
            "…and 2 more");
  EXPECT_EQ(Str(Item(At(Item(blocks, 2), "elements"), 0), "url"), "https://uptime.example.com");
}

TEST(SlackPayloadTest, LongTextStaysWithinBlockKitLimits) {
  Alert a = test::SampleDownAlert();
  a.monitor.name = std::string(300, 'n');
  a.cause = std::string(5000, 'c');
  const auto msg = ParseJson(SlackPayload(a, {}));
  EXPECT_LE(Str(At(Item(At(msg, "blocks"), 0), "text"), "text").size(), 150u);
  for (const std::string& f : FieldTexts(msg)) EXPECT_LE(f.size(), 2000u);
  EXPECT_LE(Str(msg, "text").size(), 3000u);
}

TEST(WebhookJsonTest, VersionOneSchema) {
  Alert a = test::SampleDownAlert();
  const auto doc = ParseJson(AlertToJson(a, test::SampleTime() + absl::Seconds(5)));
  EXPECT_EQ(At(doc, "version").number_value(), 1);
  EXPECT_EQ(Str(doc, "kind"), "down");
  EXPECT_EQ(Str(doc, "sent_at"), "2023-11-14T22:13:25Z");
  EXPECT_EQ(Str(doc, "dedup_key"), "inc-42");
  EXPECT_EQ(Str(doc, "incident_id"), "inc-42");
  EXPECT_EQ(Str(doc, "state"), "DOWN");
  const auto& monitor = At(doc, "monitor");
  EXPECT_EQ(Str(monitor, "id"), "mon-1");
  EXPECT_EQ(Str(monitor, "name"), "api-prod");
  EXPECT_EQ(Str(monitor, "target"), "https://api.example.com/health");
  EXPECT_EQ(Str(At(monitor, "labels"), "team"), "core");
  EXPECT_EQ(Str(doc, "cause"), "status: HTTP 503 from eu-west");
  EXPECT_EQ(Str(doc, "since"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(At(doc, "duration_seconds").number_value(), 200);
  ASSERT_EQ(Size(At(doc, "locations")), 2);
  EXPECT_EQ(Item(At(doc, "locations"), 1).string_value(), "us-east");
  EXPECT_EQ(Str(doc, "dashboard_url"), "https://uptime.example.com/monitors/mon-1");
  EXPECT_TRUE(At(doc, "tls_expiry").has_null_value());
  EXPECT_EQ(Size(At(doc, "group")), 0);
}

TEST(WebhookJsonTest, GroupMembersAndTlsExpiry) {
  Alert g = test::SampleGroup(2);
  g.group[1].kind = AlertKind::kTlsExpiring;
  g.group[1].tls_expiry = test::SampleTime() + absl::Hours(24);
  const auto doc = ParseJson(AlertToJson(g, test::SampleTime()));
  ASSERT_EQ(Size(At(doc, "group")), 2);
  const auto& m1 = Item(At(doc, "group"), 1);
  EXPECT_EQ(Str(m1, "kind"), "tls_expiring");
  EXPECT_EQ(Str(m1, "dedup_key"), "inc-1");
  EXPECT_EQ(Str(At(m1, "monitor"), "name"), "m1");
  EXPECT_EQ(Str(m1, "tls_expiry"), "2023-11-15T22:13:20Z");
  EXPECT_FALSE(Has(m1, "version"));
  EXPECT_FALSE(Has(m1, "group"));
}

TEST(PagerDutyEventTest, TriggerFields) {
  const std::string key = "abcdef0123456789abcdef0123456789";
  const auto ev = ParseJson(PagerDutyEvent(test::SampleDownAlert(), "trigger", key, "critical"));
  EXPECT_EQ(Str(ev, "routing_key"), key);
  EXPECT_EQ(Str(ev, "event_action"), "trigger");
  EXPECT_EQ(Str(ev, "dedup_key"), "inc-42");
  const auto& p = At(ev, "payload");
  EXPECT_EQ(Str(p, "summary"), "api-prod is DOWN: status: HTTP 503 from eu-west");
  EXPECT_EQ(Str(p, "source"), "https://api.example.com/health");
  EXPECT_EQ(Str(p, "severity"), "critical");
  EXPECT_EQ(Str(p, "timestamp"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(Str(p, "component"), "api-prod");
  EXPECT_EQ(Str(p, "group"), "mon-1");
  EXPECT_EQ(Str(p, "class"), "down");
  const auto& d = At(p, "custom_details");
  EXPECT_EQ(Str(d, "monitor_id"), "mon-1");
  EXPECT_EQ(Str(d, "monitor_name"), "api-prod");
  EXPECT_EQ(Str(d, "target"), "https://api.example.com/health");
  EXPECT_EQ(Str(d, "state"), "DOWN");
  EXPECT_EQ(Str(d, "cause"), "status: HTTP 503 from eu-west");
  EXPECT_EQ(Str(d, "since"), "2023-11-14 22:13:20 UTC");
  EXPECT_EQ(Str(d, "duration"), "3m 20s");
  EXPECT_EQ(Item(At(d, "locations"), 0).string_value(), "eu-west");
  EXPECT_EQ(Str(At(d, "labels"), "env"), "prod");
  EXPECT_EQ(Str(d, "incident_id"), "inc-42");
  EXPECT_EQ(Str(d, "dashboard_url"), "https://uptime.example.com/monitors/mon-1");
  EXPECT_EQ(Str(ev, "client"), "Uptime Monitor");
  EXPECT_EQ(Str(ev, "client_url"), "https://uptime.example.com/monitors/mon-1");
  EXPECT_EQ(Str(Item(At(ev, "links"), 0), "href"), "https://uptime.example.com/monitors/mon-1");
}

TEST(PagerDutyEventTest, ResolveIsMinimal) {
  const auto ev = ParseJson(PagerDutyEvent(test::SampleRecoveredAlert(), "resolve",
                                           "abcdef0123456789abcdef0123456789", "critical"));
  EXPECT_EQ(Str(ev, "event_action"), "resolve");
  EXPECT_EQ(Str(ev, "dedup_key"), "inc-42");
  EXPECT_FALSE(Has(ev, "payload"));
  EXPECT_EQ(ev.struct_value().fields_size(), 3);
}

TEST(PagerDutyEventTest, SummaryIsCappedAt1024Bytes) {
  Alert a = test::SampleDownAlert();
  a.cause = std::string(4000, 'x');
  const auto ev = ParseJson(PagerDutyEvent(a, "trigger", "k", "critical"));
  EXPECT_LE(Str(At(ev, "payload"), "summary").size(), 1024u);
}

}  // namespace
}  // namespace uptime::notifiers
