// AlertSender against the in-memory outbox and a real Slack notifier posting
// to a local WebhookSink. Time is a SimulatedClock driven by the test, which
// calls RunOnce() itself, so backoffs of seconds or minutes cost nothing.
#include "coordinator/alerting/alert_sender.h"

#include <atomic>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/memory/memory_catalog_store.h"
#include "store/memory/memory_incident_store.h"
#include "store/testing/faulty_stores.h"
#include "tests/support/eventually.h"
#include "tests/support/webhook_sink.h"

namespace uptime::coordinator {
namespace {

using ::testing::HasSubstr;
using notifiers::Alert;
using notifiers::AlertKind;
using uptime::testing::ScriptedResponse;
using uptime::testing::WebhookSink;

Alert DownAlert(const std::string& n) {
  Alert a;
  a.kind = AlertKind::kDown;
  a.monitor.id = "mon-" + n;
  a.monitor.name = "api-" + n;
  a.monitor.target = "https://api" + n + ".example.com/health";
  a.monitor.labels = {{"team", "core"}};
  a.incident_id = a.dedup_key = "inc-" + n;
  a.new_state = v1::STATE_DOWN;
  a.cause = "status: HTTP 503 from eu-west";
  a.since = absl::FromUnixMillis(1'700'000'000'500);
  a.locations = {"eu-west"};
  a.dashboard_base_url = "https://uptime.example.com";
  return a;
}

Alert RecoveredAlert(const std::string& n) {
  Alert a = DownAlert(n);
  a.kind = AlertKind::kRecovered;
  a.new_state = v1::STATE_UP;
  a.duration = absl::Seconds(200);
  return a;
}

TEST(AlertPayloadTest, RoundTrips) {
  Alert a = RecoveredAlert("1");
  a.tls_expiry = absl::FromUnixSeconds(1'800'000'000);
  absl::StatusOr<Alert> b = PayloadToAlert(AlertToPayload(a));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->kind, a.kind);
  EXPECT_EQ(b->monitor.id, a.monitor.id);
  EXPECT_EQ(b->monitor.name, a.monitor.name);
  EXPECT_EQ(b->monitor.target, a.monitor.target);
  EXPECT_EQ(b->monitor.labels, a.monitor.labels);
  EXPECT_EQ(b->incident_id, a.incident_id);
  EXPECT_EQ(b->dedup_key, a.dedup_key);
  EXPECT_EQ(b->new_state, a.new_state);
  EXPECT_EQ(b->cause, a.cause);
  EXPECT_EQ(b->since, a.since);
  EXPECT_EQ(b->duration, a.duration);
  EXPECT_EQ(b->locations, a.locations);
  EXPECT_EQ(b->dashboard_base_url, a.dashboard_base_url);
  EXPECT_EQ(b->tls_expiry, a.tls_expiry);

  Alert unknown_times;  // InfinitePast stays unknown
  b = PayloadToAlert(AlertToPayload(unknown_times));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->since, absl::InfinitePast());

  EXPECT_FALSE(PayloadToAlert("{}").ok());
  EXPECT_FALSE(PayloadToAlert("not json").ok());
  EXPECT_FALSE(PayloadToAlert(R"({"v":1,"kind":"exploded"})").ok());
  EXPECT_TRUE(PayloadToAlert(R"({"v":1,"kind":"down","future_field":3})").ok());
}

TEST(AlertPayloadTest, BuildIncidentOutbox) {
  v1::Monitor m;
  m.set_id("mon-1");
  m.set_name("api");
  m.add_channel_ids("ch-a");
  m.add_channel_ids("ch-b");
  v1::Incident inc;
  inc.set_id("inc-1");
  inc.set_cause("timeout");
  inc.mutable_started()->set_seconds(1000);
  inc.mutable_resolved()->set_seconds(1300);
  auto rows = BuildIncidentOutbox(inc, m, true, absl::FromUnixSeconds(1301), "https://u");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, "recovered");
  EXPECT_EQ(rows[1].channel_id, "ch-b");
  EXPECT_EQ(rows[0].due, absl::FromUnixSeconds(1301));
  absl::StatusOr<Alert> a = PayloadToAlert(rows[0].payload_json);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind, AlertKind::kRecovered);
  EXPECT_EQ(a->duration, absl::Seconds(300));
  EXPECT_EQ(a->incident_id, "inc-1");
  EXPECT_EQ(a->monitor.name, "api");
  EXPECT_EQ(BuildIncidentOutbox(inc, m, false, absl::Now(), "")[0].kind, "down");
}

class AlertSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(notifiers::RegisterBuiltinNotifiers(&notifier_registry_).ok());
    auto sink = WebhookSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = *std::move(sink);
    notifiers::NotifierDeps deps;
    deps.clock = &clock_;
    deps.timeout = absl::Seconds(5);
    channels_ = std::make_unique<ChannelRegistry>(&clock_, &catalog_, &notifier_registry_, deps,
                                                  nullptr);
    v1::Channel slack;
    slack.set_name("ops");
    slack.set_type("slack");
    (*slack.mutable_config())["webhook_url"] = sink_->url("/services/T0/B0/secret");
    auto created = channels_->Create(slack, v1::AuditEvent());
    ASSERT_TRUE(created.ok()) << created.status();
    channel_id_ = created->id();
    sender_ = std::make_unique<AlertSender>(&clock_, &incidents_, channels_.get(), &metrics_);
  }

  store::OutboxRow Row(const Alert& alert, const std::string& kind = "") {
    store::OutboxRow row;
    row.kind = kind.empty() ? std::string(notifiers::AlertKindName(alert.kind)) : kind;
    row.channel_id = channel_id_;
    row.payload_json = AlertToPayload(alert);
    row.due = clock_.Now();
    return row;
  }

  void Enqueue(const Alert& alert, const std::string& kind = "") {
    ASSERT_TRUE(incidents_.EnqueueAlerts(alert.incident_id, {Row(alert, kind)}).ok());
  }

  int RunOnce() {
    absl::StatusOr<int> n = sender_->RunOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  // Rows still to deliver at any time in the future: claims them all.
  int Pending() {
    auto rows = incidents_.ClaimDue(clock_.Now() + absl::Hours(24 * 365 * 1000), 1000,
                                    absl::Seconds(1));
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? static_cast<int>(rows->size()) : -1;
  }

  SimulatedClock clock_;
  store::MemoryCatalogStore catalog_;
  store::MemoryIncidentStore incidents_{&clock_};
  // The in-memory store, made unreachable at will (as PostgreSQL can be).
  store::StoreFaults faults_;
  store::FaultyIncidentStore flaky_{&incidents_, &faults_};
  notifiers::NotifierRegistry notifier_registry_;
  MetricsRegistry metrics_;
  std::unique_ptr<WebhookSink> sink_;
  std::unique_ptr<ChannelRegistry> channels_;
  std::string channel_id_;
  std::unique_ptr<AlertSender> sender_;
};

TEST_F(AlertSenderTest, DownThenRecoveredSendsTwoMessages) {
  Enqueue(DownAlert("1"));
  Enqueue(RecoveredAlert("1"));
  EXPECT_EQ(RunOnce(), 2);
  ASSERT_EQ(sink_->count(), 2u);
  EXPECT_THAT(sink_->requests()[0].body, HasSubstr("api-1 is DOWN"));
  EXPECT_THAT(sink_->requests()[1].body, HasSubstr("api-1 is UP"));
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sink_->count(), 2u);
  EXPECT_EQ(sender_->sent("down"), 1u);
  EXPECT_EQ(sender_->sent("recovered"), 1u);
  EXPECT_THAT(metrics_.Render(), HasSubstr("uptime_alerts_sent_total{kind=\"down\"} 1"));
  EXPECT_EQ(Pending(), 0);
}

TEST_F(AlertSenderTest, RetriesServerErrorsWithBackoff) {
  sink_->ScriptResponses({{500, "boom", ""}, {500, "boom", ""}});
  Enqueue(DownAlert("1"));
  EXPECT_EQ(RunOnce(), 1);  // attempt 1: 500, due again in 1 s
  EXPECT_EQ(sink_->count(), 1u);
  clock_.Advance(absl::Milliseconds(999));
  EXPECT_EQ(RunOnce(), 0);
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(RunOnce(), 1);  // attempt 2: 500, due again in 2 s
  EXPECT_EQ(sink_->count(), 2u);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(RunOnce(), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(RunOnce(), 1);  // attempt 3: delivered
  EXPECT_EQ(sink_->count(), 3u);
  clock_.Advance(absl::Minutes(10));
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sink_->count(), 3u);
  EXPECT_EQ(sender_->sent("down"), 1u);
  EXPECT_EQ(sender_->failed("down"), 2u);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(AlertSenderTest, HonorsRetryAfter) {
  sink_->ScriptResponses({{429, "rate limited", "30"}});
  Enqueue(DownAlert("1"));
  EXPECT_EQ(RunOnce(), 1);
  clock_.Advance(absl::Seconds(29));  // well past the 1 s backoff
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sink_->count(), 1u);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(sink_->count(), 2u);
  EXPECT_EQ(sender_->sent("down"), 1u);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(AlertSenderTest, StormPastTheThresholdIsGroupedWhenTheWindowEnds) {
  for (int i = 0; i < 20; ++i) Enqueue(DownAlert(std::to_string(i)));
  Enqueue(RecoveredAlert("x"));  // another kind: its own message
  EXPECT_EQ(RunOnce(), 3);  // the first 3 at once (storm_threshold)
  ASSERT_EQ(sink_->count(), 3u);
  clock_.Advance(absl::Seconds(9));
  EXPECT_EQ(RunOnce(), 0);
  clock_.Advance(absl::Seconds(1));  // the window ends
  EXPECT_EQ(RunOnce(), 18);
  ASSERT_EQ(sink_->count(), 5u);
  EXPECT_THAT(sink_->requests()[3].body, HasSubstr("17 monitors are DOWN"));
  EXPECT_THAT(sink_->requests()[4].body, HasSubstr("api-x is UP"));
  EXPECT_EQ(sender_->sent("down"), 20u);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(sender_->pending(), 0u);

  // The window now holds 2 messages: one more goes out, the next waits.
  Enqueue(DownAlert("late1"));
  Enqueue(DownAlert("late2"));
  EXPECT_EQ(RunOnce(), 1);
  clock_.Advance(absl::Seconds(10));
  EXPECT_EQ(RunOnce(), 1);
  ASSERT_EQ(sink_->count(), 7u);
  EXPECT_THAT(sink_->requests()[6].body, HasSubstr("api-late2 is DOWN"));
  // Once the channel is quiet for a window, alerts go out at once again.
  clock_.Advance(absl::Seconds(11));
  Enqueue(DownAlert("calm"));
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(sink_->count(), 8u);
}

TEST_F(AlertSenderTest, AtThresholdAlertsGoOutAtOnce) {
  for (int i = 0; i < 3; ++i) Enqueue(DownAlert(std::to_string(i)));
  EXPECT_EQ(RunOnce(), 3);
  EXPECT_EQ(sink_->count(), 3u);
}

TEST_F(AlertSenderTest, ThresholdZeroGroupsAWholeWindowFromMemory) {
  sender_ = std::make_unique<AlertSender>(
      &clock_, &incidents_, channels_.get(), nullptr,
      AlertSenderOptions{.storm_threshold = 0, .storm_window = absl::Seconds(2)});
  for (int i = 0; i < 200; ++i) {
    const Alert a = DownAlert(std::to_string(i));
    sender_->Deliver(a.incident_id, {Row(a)});
    if (i % 50 == 49) {
      EXPECT_EQ(RunOnce(), 0);
      clock_.Advance(absl::Milliseconds(100));
    }
  }
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(RunOnce(), 200);
  ASSERT_EQ(sink_->count(), 1u);
  EXPECT_THAT(sink_->requests()[0].body, HasSubstr("200 monitors are DOWN"));
  // Delivered from memory before their outbox rows existed: remembered...
  EXPECT_EQ(sender_->pending(), 200u);
  // ...until persistence writes the rows; then recorded as sent, not resent.
  for (int i = 0; i < 200; ++i) Enqueue(DownAlert(std::to_string(i)));
  EXPECT_EQ(RunOnce(), 0);
  clock_.Advance(absl::Seconds(1));
  for (int i = 0; i < 5 && sender_->pending() > 0; ++i) RunOnce();
  EXPECT_EQ(sender_->pending(), 0u);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(sink_->count(), 1u);
}

TEST_F(AlertSenderTest, DeliveredFromMemoryWhileTheStoreIsDown) {
  faults_.set_down(true);
  sender_ = std::make_unique<AlertSender>(&clock_, &flaky_, channels_.get(), nullptr);
  sink_->ScriptResponses({{500, "boom", ""}});
  const Alert a = DownAlert("1");
  sender_->Deliver(a.incident_id, {Row(a)});
  EXPECT_EQ(RunOnce(), 1);  // 500
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(RunOnce(), 1);  // retried from memory: delivered
  EXPECT_EQ(sink_->count(), 2u);
  EXPECT_EQ(sender_->pending(), 1u);  // not recorded yet

  // PostgreSQL is back and persistence writes the incident's rows.
  faults_.set_down(false);
  Enqueue(a);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sender_->pending(), 0u);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(sink_->count(), 2u);
}

// A leader claims the row of an alert it is already retrying from memory,
// then dies: the successor must retry when the alert is due, not when the
// dead leader's lease ends.
TEST_F(AlertSenderTest, ACrashAfterClaimingARetryingAlertDoesNotDelayItByTheLease) {
  sink_->ScriptResponses({{500, "boom", ""}});
  const Alert a = DownAlert("1");
  sender_->Deliver(a.incident_id, {Row(a)});  // from memory, before its row exists
  EXPECT_EQ(RunOnce(), 1);                    // 500: retried in 1 s
  Enqueue(a);                                 // the incident's transaction lands
  EXPECT_EQ(RunOnce(), 0);                    // claims the row (leased)
  // The leader dies; a successor starts on the same store.
  sender_ = std::make_unique<AlertSender>(&clock_, &incidents_, channels_.get(), nullptr);
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(sink_->count(), 2u);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(AlertSenderTest, RowsOnlyTheSenderKnowsAreWrittenWhenTheStoreIsBack) {
  faults_.set_down(true);
  sender_ = std::make_unique<AlertSender>(&clock_, &flaky_, channels_.get(), nullptr);
  Alert a = DownAlert("1");
  a.kind = AlertKind::kStillDown;
  sender_->Deliver(a.incident_id, {Row(a, "renotify:1")}, /*write_rows=*/true);
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(sink_->count(), 1u);
  faults_.set_down(false);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sender_->pending(), 0u);
  absl::StatusOr<int64_t> row = incidents_.FindOutboxRow(a.incident_id, "renotify:1", channel_id_);
  EXPECT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(Pending(), 0);  // recorded as sent
}

TEST_F(AlertSenderTest, AClaimedRowAlreadyDeliveredFromMemoryIsNotResent) {
  const Alert a = DownAlert("1");
  Enqueue(a);  // persistence was first
  sender_->Deliver(a.incident_id, {Row(a)});
  EXPECT_EQ(RunOnce(), 1);
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sink_->count(), 1u);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(AlertSenderTest, PermanentErrorIsNotRetried) {
  sink_->ScriptResponses({{400, "invalid_payload", ""}});
  Enqueue(DownAlert("1"));
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(sink_->count(), 1u);
  clock_.Advance(absl::Hours(24 * 30));
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sink_->count(), 1u);
  EXPECT_EQ(sender_->failed("down"), 1u);
  EXPECT_EQ(sender_->sent("down"), 0u);
  EXPECT_THAT(metrics_.Render(),
              HasSubstr("uptime_alerts_failed_total{kind=\"down\",reason=\"permanent\"} 1"));
}

TEST_F(AlertSenderTest, DeletedChannelIsDropped) {
  Enqueue(DownAlert("1"));
  ASSERT_TRUE(channels_->Delete(channel_id_, v1::AuditEvent()).ok());
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(sink_->count(), 0u);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(RunOnce(), 0);
}

TEST_F(AlertSenderTest, BadPayloadIsDropped) {
  store::OutboxRow row{"down", channel_id_, "{\"v\":1,\"kind\":\"nope\"}", clock_.Now()};
  ASSERT_TRUE(incidents_.EnqueueAlerts("inc-bad", {row}).ok());
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sender_->failed("unknown"), 1u);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(sink_->count(), 0u);
}

TEST_F(AlertSenderTest, BackgroundThreadDelivers) {
  sender_->Start();
  Enqueue(DownAlert("1"));
  sender_->Kick();
  ASSERT_EVENTUALLY(sink_->count() == 1u, absl::Seconds(5));
  Enqueue(RecoveredAlert("1"));  // found by polling, without a kick
  clock_.Advance(AlertSenderOptions{}.poll_interval);
  ASSERT_EVENTUALLY(sink_->count() == 2u, absl::Seconds(5));
  sender_->Stop();
  sender_->Stop();  // idempotent
  EXPECT_EQ(sender_->sent("down") + sender_->sent("recovered"), 2u);
}

}  // namespace
}  // namespace uptime::coordinator
