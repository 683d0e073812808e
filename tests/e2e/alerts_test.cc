// Alerts end to end, through the real coordinator and agent binaries: a
// Slack channel pointed at a webhook sink, monitors that fail and recover,
// and exactly one message each way — also when the sink fails, when the
// coordinator is killed with the alert still unsent, and in a storm.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"
#include "tests/support/postgres_server.h"
#include "tests/support/smtp_sink.h"
#include "tests/support/webhook_sink.h"
#include "uptime/v1/notification.grpc.pb.h"

namespace uptime::testing {
namespace {

TEST(AlertsTest, SlackGetsExactlyOneDownAndOneRecoveredMessage) {
  auto pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok());
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok());
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator({"--postgres", (*pg)->dsn()}).ok());
  ASSERT_TRUE(cluster.StartAgent("a1", "region=eu").ok());

  auto created = cluster.CreateChannel(
      SlackChannel("oncall", (*sink)->url("/services/T000/B000/secretpath")));
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Channel& channel = *created;
  // The webhook URL is a secret: never returned in full.
  EXPECT_FALSE(absl::StrContains(channel.config().at("webhook_url"), "secretpath"));

  v1::Monitor monitor = HttpMonitor("checkout", (*target)->url("/health"));
  monitor.add_channel_ids(channel.id());
  auto m = cluster.CreateMonitor(monitor);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EVENTUALLY(cluster.StateOf(m->id()) == v1::STATE_UP, absl::Seconds(20));
  EXPECT_EQ((*sink)->count(), 0u);

  (*target)->SetStatus(503);
  ASSERT_EVENTUALLY((*sink)->count() == 1, absl::Seconds(20));
  const std::string down = (*sink)->requests()[0].body;
  EXPECT_TRUE(absl::StrContains(down, "checkout")) << down;
  EXPECT_TRUE(absl::StrContains(down, "DOWN")) << down;
  EXPECT_TRUE(absl::StrContains(down, "503")) << down;

  (*target)->SetStatus(200);
  ASSERT_EVENTUALLY((*sink)->count() == 2, absl::Seconds(20));
  const std::string recovered = (*sink)->requests()[1].body;
  EXPECT_TRUE(absl::StrContains(recovered, "checkout")) << recovered;
  // And nothing more.
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ((*sink)->count(), 2u);

  // A monitor may not name a channel that does not exist.
  v1::Monitor bad = HttpMonitor("orphan", (*target)->url("/"));
  bad.add_channel_ids("ch-nope");
  auto refused = cluster.CreateMonitor(bad);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "monitor.channel_ids[0]"));
}

// A Slack channel named "oncall" pointed at `sink`; returns its id.
std::string OncallChannel(ClusterFixture& cluster, WebhookSink& sink) {
  auto channel = cluster.CreateChannel(SlackChannel("oncall", sink.url("/services/T0/B0/x")));
  EXPECT_TRUE(channel.ok()) << channel.status();
  return channel.ok() ? channel->id() : "";
}

// Requests whose body says `monitor` is `state` ("DOWN" / "UP").
size_t Messages(const WebhookSink& sink, const std::string& monitor, const std::string& state) {
  size_t n = 0;
  for (const auto& r : sink.requests()) {
    if (absl::StrContains(r.body, absl::StrCat(monitor, " is ", state))) ++n;
  }
  return n;
}

// A coordinator with PostgreSQL, one agent, a target, and a Slack channel
// pointed at a webhook sink.
class SlackAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
    auto target = HttpTarget::Start();
    ASSERT_TRUE(target.ok());
    target_ = *std::move(target);
    auto sink = WebhookSink::Start();
    ASSERT_TRUE(sink.ok());
    sink_ = *std::move(sink);
    ASSERT_TRUE(cluster_.StartCoordinator({"--postgres", pg_->dsn()}).ok());
    ASSERT_TRUE(cluster_.StartAgent("a1").ok());
    channel_ = OncallChannel(cluster_, *sink_);
  }

  // A monitor of the target alerting the channel, once it is UP.
  std::string UpMonitor(const std::string& name) {
    v1::Monitor monitor = HttpMonitor(name, target_->url("/health"));
    monitor.add_channel_ids(channel_);
    auto m = cluster_.CreateMonitor(monitor);
    EXPECT_TRUE(m.ok()) << m.status();
    if (!m.ok()) return "";
    EXPECT_TRUE(WaitFor([&] { return cluster_.StateOf(m->id()) == v1::STATE_UP; },
                        absl::Seconds(20), absl::Milliseconds(50)));
    return m->id();
  }

  std::unique_ptr<PostgresServer> pg_;
  std::unique_ptr<HttpTarget> target_;
  std::unique_ptr<WebhookSink> sink_;
  ClusterFixture cluster_;
  std::string channel_;
};

TEST_F(SlackAlertsTest, SinkFailingTwiceThenAcceptingGetsTheAlertOnce) {
  const std::string id = UpMonitor("payments");
  ASSERT_FALSE(id.empty());

  sink_->ScriptResponses({{500, "internal_error", ""}, {500, "internal_error", ""}});
  target_->SetStatus(503);
  // 500, 500, then 200: three requests, one alert (retried after 1 s, 2 s).
  ASSERT_EVENTUALLY(sink_->count() == 3, absl::Seconds(30));
  absl::SleepFor(absl::Seconds(5));
  EXPECT_EQ(sink_->count(), 3u);
  EXPECT_EQ(Messages(*sink_, "payments", "DOWN"), 3u);

  target_->SetStatus(200);
  ASSERT_EVENTUALLY(Messages(*sink_, "payments", "UP") == 1, absl::Seconds(20));
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(sink_->count(), 4u);
}

TEST_F(SlackAlertsTest, CoordinatorKilledBeforeTheAlertWasDeliveredSendsItOnceAfterRestart) {
  const std::string id = UpMonitor("ledger");
  ASSERT_FALSE(id.empty());

  // Slack is failing when the monitor goes down: the alert is not delivered.
  std::vector<ScriptedResponse> failing(1000, ScriptedResponse{500, "down", ""});
  sink_->ScriptResponses(failing);
  target_->SetStatus(503);
  ASSERT_EVENTUALLY(sink_->count() >= 1, absl::Seconds(20));
  absl::SleepFor(absl::Milliseconds(300));  // the incident's transaction lands

  ASSERT_TRUE(cluster_.coordinator()->Kill().ok());  // SIGKILL
  sink_->ScriptResponses({});                        // Slack is back
  sink_->Clear();
  ASSERT_TRUE(cluster_.RestartCoordinator().ok());
  ASSERT_EVENTUALLY(Messages(*sink_, "ledger", "DOWN") == 1, absl::Seconds(30));
  absl::SleepFor(absl::Seconds(4));
  EXPECT_EQ(Messages(*sink_, "ledger", "DOWN"), 1u);
  EXPECT_EQ(sink_->count(), 1u);

  // One incident, and its recovery once.
  target_->SetStatus(200);
  ASSERT_EVENTUALLY(Messages(*sink_, "ledger", "UP") == 1, absl::Seconds(30));
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(sink_->count(), 2u);
  v1::ListIncidentsRequest req;
  req.set_monitor_id(id);
  v1::ListIncidentsResponse resp;
  grpc::Status s = cluster_.statuses().ListIncidents(ClusterFixture::Context().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.incidents_size(), 1);
}

TEST(AlertsTest, StormOfTwoHundredMonitorsIsOneGroupedMessage) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok());
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok());
  ClusterFixture cluster;
  // Threshold 0: every alert waits for the window; the window covers the
  // second or so in which 200 monitors at a 1 s interval notice.
  ASSERT_TRUE(cluster
                  .StartCoordinator({"--alert-storm-threshold", "0", "--alert-storm-window", "5s"})
                  .ok());
  ASSERT_TRUE(cluster.StartAgent("a1").ok());
  const std::string channel = OncallChannel(cluster, **sink);
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    v1::Monitor monitor = HttpMonitor(absl::StrCat("shop-", i), (*target)->url("/"));
    monitor.add_channel_ids(channel);
    auto m = cluster.CreateMonitor(monitor);
    ASSERT_TRUE(m.ok()) << m.status();
    ids.push_back(m->id());
  }
  auto all_in = [&](v1::State state) {
    for (const std::string& id : ids) {
      if (cluster.StateOf(id) != state) return false;
    }
    return true;
  };
  ASSERT_EVENTUALLY(all_in(v1::STATE_UP), absl::Seconds(30));

  (*target)->SetStatus(500);
  ASSERT_EVENTUALLY(all_in(v1::STATE_DOWN), absl::Seconds(30));
  ASSERT_EVENTUALLY((*sink)->count() >= 1, absl::Seconds(20));
  absl::SleepFor(absl::Seconds(7));  // a whole window more: nothing else comes
  ASSERT_EQ((*sink)->count(), 1u);
  const std::string body = (*sink)->requests()[0].body;
  EXPECT_TRUE(absl::StrContains(body, "200 monitors are DOWN")) << body.substr(0, 500);
}

TEST(AlertsTest, EmailChannelDeliversThroughSmtp) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok());
  auto smtp = SmtpSink::Start();
  ASSERT_TRUE(smtp.ok()) << smtp.status();
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  ASSERT_TRUE(cluster.StartAgent("a1").ok());
  v1::Channel email;
  email.set_name("mail");
  email.set_type("email");
  auto& config = *email.mutable_config();
  config["url"] = (*smtp)->url();
  config["from"] = "uptime@example.com";
  config["to"] = "oncall@example.com,lead@example.com";
  config["username"] = "uptime";
  config["password"] = "hunter2";
  auto created = cluster.CreateChannel(email);
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Channel& channel = *created;
  EXPECT_FALSE(absl::StrContains(channel.config().at("password"), "hunter2"));

  v1::Monitor monitor = HttpMonitor("billing", (*target)->url("/health"));
  monitor.add_channel_ids(channel.id());
  auto m = cluster.CreateMonitor(monitor);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EVENTUALLY(cluster.StateOf(m->id()) == v1::STATE_UP, absl::Seconds(20));
  (*target)->SetStatus(503);
  ASSERT_EVENTUALLY((*smtp)->count() == 1, absl::Seconds(20));
  const SmtpMessage mail = (*smtp)->messages()[0];
  EXPECT_EQ(mail.mail_from, "uptime@example.com");
  ASSERT_EQ(mail.rcpt_to.size(), 2u);
  EXPECT_EQ(mail.rcpt_to[1], "lead@example.com");
  EXPECT_EQ(mail.auth_username, "uptime");
  EXPECT_TRUE(absl::StrContains(mail.data, "billing")) << mail.data;
  EXPECT_TRUE(absl::StrContains(mail.data, "DOWN")) << mail.data;
  (*target)->SetStatus(200);
  ASSERT_EVENTUALLY((*smtp)->count() == 2, absl::Seconds(20));
}

}  // namespace
}  // namespace uptime::testing
