// Alerts end to end: a Slack channel pointed at a webhook sink, a monitor
// that fails and recovers, and exactly one message each way.
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"
#include "tests/support/postgres_server.h"
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

  auto notifications = v1::NotificationService::NewStub(cluster.channel());
  v1::CreateChannelRequest create;
  create.mutable_channel()->set_name("oncall");
  create.mutable_channel()->set_type("slack");
  (*create.mutable_channel()->mutable_config())["webhook_url"] = (*sink)->url("/services/T000/B000/secretpath");
  v1::Channel channel;
  grpc::Status s = notifications->CreateChannel(ClusterFixture::Context().get(), create, &channel);
  ASSERT_TRUE(s.ok()) << s.error_message();
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

}  // namespace
}  // namespace uptime::testing
