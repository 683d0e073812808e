// The pagerduty notifier end to end against a stand-in Events API.
#include "coordinator/notifiers/pagerduty.h"

#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/webhook_sink.h"

namespace uptime::notifiers {
namespace {

using test::At;
using test::Has;
using test::Item;
using test::ParseJson;
using test::Size;
using test::Str;
using uptime::testing::WebhookSink;

constexpr char kPagerDutyKey[] = "abcdef0123456789abcdef0123456789";

class PagerDutyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = WebhookSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = *std::move(sink);
    // PagerDuty answers 202 Accepted.
    sink_->ScriptResponses(std::vector<uptime::testing::ScriptedResponse>(
        8, {202, R"({"status":"success","message":"Event processed"})", ""}));
    auto n = MakePagerDutyFactory()->Create(
        {{"routing_key", kPagerDutyKey}, {"url", sink_->url("/v2/enqueue")}}, {});
    ASSERT_TRUE(n.ok()) << n.status();
    notifier_ = *std::move(n);
  }

  google::protobuf::Value Event(size_t i) {
    const auto requests = sink_->requests();
    EXPECT_LT(i, requests.size());
    if (i >= requests.size()) return {};
    EXPECT_EQ(requests[i].target, "/v2/enqueue");
    EXPECT_EQ(requests[i].Header("Content-Type"), "application/json");
    return ParseJson(requests[i].body);
  }

  std::unique_ptr<WebhookSink> sink_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(PagerDutyTest, TriggerOnDownWithEveryField) {
  ASSERT_TRUE(notifier_->Send(test::SampleDownAlert()).ok());
  const auto ev = Event(0);
  EXPECT_EQ(Str(ev, "routing_key"), kPagerDutyKey);
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
  ASSERT_EQ(Size(At(d, "locations")), 2);
  EXPECT_EQ(Item(At(d, "locations"), 1).string_value(), "us-east");
  EXPECT_EQ(Str(At(d, "labels"), "team"), "core");
  EXPECT_EQ(Str(d, "incident_id"), "inc-42");
  EXPECT_EQ(Str(d, "dashboard_url"), "https://uptime.example.com/monitors/mon-1");
  EXPECT_FALSE(Has(d, "tls_expiry"));
  EXPECT_EQ(Str(ev, "client"), "Uptime Monitor");
  EXPECT_EQ(Str(ev, "client_url"), "https://uptime.example.com/monitors/mon-1");
  ASSERT_EQ(Size(At(ev, "links")), 1);
  EXPECT_EQ(Str(Item(At(ev, "links"), 0), "href"), "https://uptime.example.com/monitors/mon-1");
  EXPECT_EQ(Str(Item(At(ev, "links"), 0), "text"), "Open in Uptime Monitor");
}

TEST_F(PagerDutyTest, ResolveOnRecoveredWithTheSameDedupKey) {
  ASSERT_TRUE(notifier_->Send(test::SampleDownAlert()).ok());
  ASSERT_TRUE(notifier_->Send(test::SampleRecoveredAlert()).ok());
  const auto ev = Event(1);
  EXPECT_EQ(Str(ev, "routing_key"), kPagerDutyKey);
  EXPECT_EQ(Str(ev, "event_action"), "resolve");
  EXPECT_EQ(Str(ev, "dedup_key"), Str(Event(0), "dedup_key"));
  EXPECT_FALSE(Has(ev, "payload"));
}

TEST_F(PagerDutyTest, StillDownRetriggersAndTlsWarns) {
  Alert still = test::SampleDownAlert();
  still.kind = AlertKind::kStillDown;
  still.duration = absl::Hours(1);
  ASSERT_TRUE(notifier_->Send(still).ok());
  Alert tls = test::SampleDownAlert();
  tls.kind = AlertKind::kTlsExpiring;
  tls.new_state = v1::STATE_UP;
  tls.cause.clear();
  tls.dedup_key = "tls:mon-1";
  tls.tls_expiry = tls.since + absl::Hours(24 * 5);
  ASSERT_TRUE(notifier_->Send(tls).ok());
  EXPECT_EQ(Str(Event(0), "event_action"), "trigger");
  EXPECT_EQ(Str(Event(0), "dedup_key"), "inc-42");
  EXPECT_EQ(Str(At(Event(0), "payload"), "class"), "still_down");
  EXPECT_EQ(Str(At(At(Event(0), "payload"), "custom_details"), "duration"), "1h");
  const auto tls_event = Event(1);
  const auto& p = At(tls_event, "payload");
  EXPECT_EQ(Str(tls_event, "dedup_key"), "tls:mon-1");
  EXPECT_EQ(Str(p, "severity"), "warning");
  EXPECT_EQ(Str(p, "summary"), "api-prod: TLS certificate expires in 5d");
  EXPECT_EQ(Str(At(p, "custom_details"), "tls_expiry"), "2023-11-19 22:13:20 UTC");
}

TEST_F(PagerDutyTest, TestAlertTriggersThenResolves) {
  ASSERT_TRUE(notifier_->Send(MakeTestAlert(test::SampleTime(), "")).ok());
  ASSERT_EQ(sink_->count(), 2u);
  EXPECT_EQ(Str(Event(0), "event_action"), "trigger");
  EXPECT_EQ(Str(At(Event(0), "payload"), "severity"), "info");
  EXPECT_EQ(Str(At(Event(0), "payload"), "source"), "Uptime Monitor test");
  EXPECT_EQ(Str(Event(1), "event_action"), "resolve");
  EXPECT_EQ(Str(Event(1), "dedup_key"), Str(Event(0), "dedup_key"));
}

TEST_F(PagerDutyTest, GroupSendsOneEventPerMemberAndPrefersRetryableErrors) {
  sink_->ScriptResponses({{202, "", ""}, {400, "bad", ""}, {503, "busy", "4"}});
  const absl::Status s = notifier_->Send(test::SampleGroup(3));
  ASSERT_EQ(sink_->count(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Str(Event(i), "dedup_key"), "inc-" + std::to_string(i));
  }
  EXPECT_TRUE(IsRetryable(s)) << s;
  EXPECT_EQ(RetryAfter(s), absl::Seconds(4));
}

TEST_F(PagerDutyTest, SeverityFromConfig) {
  auto n = MakePagerDutyFactory()->Create(
      {{"routing_key", kPagerDutyKey}, {"url", sink_->url("/v2/enqueue")}, {"severity", "error"}},
      {});
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE((*n)->Send(test::SampleDownAlert()).ok());
  EXPECT_EQ(Str(At(Event(0), "payload"), "severity"), "error");
}

}  // namespace
}  // namespace uptime::notifiers
