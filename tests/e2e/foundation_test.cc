// End to end: coordinator + two agents + a real HTTP target, all real
// processes. A monitor created over gRPC is checked, goes UP, goes DOWN when
// the target fails, and stops being checked once deleted.
#include <set>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"

namespace uptime::testing {
namespace {

using FoundationTest = ClusterTest;

TEST_F(FoundationTest, MonitorGoesUpThenDownAndStopsWhenDeleted) {
  ASSERT_TRUE(cluster_.StartAgent("agent-1", "region=eu").ok());
  ASSERT_TRUE(cluster_.StartAgent("agent-2", "region=us").ok());
  ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 2, absl::Seconds(20));

  auto created = cluster_.CreateMonitor(HttpMonitor("target", target_->url("/health")));
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string id = created->id();
  EXPECT_EQ(cluster_.StateOf(id), v1::STATE_PENDING);

  ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));
  auto status = cluster_.GetStatus(id);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->last_result().success());
  EXPECT_EQ(status->last_result().http_status(), 200);
  EXPECT_GT(status->last_result().latency_us(), 0);
  ASSERT_EQ(status->agent_ids_size(), 1);
  EXPECT_EQ(status->last_result().agent_id(), status->agent_ids(0));

  target_->SetStatus(503);
  ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_DOWN, absl::Seconds(20));
  status = cluster_.GetStatus(id);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->last_result().error_kind(), v1::ERROR_KIND_STATUS);
  EXPECT_EQ(status->last_result().http_status(), 503);
  EXPECT_FALSE(status->open_incident_id().empty());

  target_->SetStatus(200);
  ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));

  v1::DeleteMonitorRequest del;
  del.set_id(id);
  google::protobuf::Empty empty;
  ASSERT_TRUE(cluster_.monitors().DeleteMonitor(ClusterFixture::Context().get(), del, &empty).ok());
  EXPECT_EQ(cluster_.GetStatus(id).status().code(), absl::StatusCode::kNotFound);
  // A check already in flight may still land; after that the count is final.
  absl::SleepFor(absl::Milliseconds(1500));
  const int64_t after_delete = target_->request_count();
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(target_->request_count(), after_delete) << "agents kept checking a deleted monitor";
}

TEST_F(FoundationTest, MonitorsAreSpreadOverAgentsAndSurviveAgentLoss) {
  ASSERT_TRUE(cluster_.StartAgent("agent-1", "region=eu").ok());
  ASSERT_TRUE(cluster_.StartAgent("agent-2", "region=us").ok());
  ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 2, absl::Seconds(20));
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto m = cluster_.CreateMonitor(HttpMonitor(absl::StrCat("m", i), target_->url(absl::StrCat("/", i))));
    ASSERT_TRUE(m.ok()) << m.status();
    ids.push_back(m->id());
  }
  for (const std::string& id : ids) {
    ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));
  }
  std::set<std::string> agents_used;
  for (const std::string& id : ids) {
    auto s = cluster_.GetStatus(id);
    ASSERT_TRUE(s.ok());
    agents_used.insert(s->agent_ids(0));
  }
  EXPECT_EQ(agents_used.size(), 2u) << "20 monitors all landed on one agent";

  // Losing an agent moves its monitors to the survivor.
  ASSERT_TRUE(cluster_.agent("agent-1")->Kill().ok());
  ASSERT_EVENTUALLY(cluster_.ConnectedAgents() == 1, absl::Seconds(10));
  for (const std::string& id : ids) {
    ASSERT_EVENTUALLY(
        [&] {
          auto s = cluster_.GetStatus(id);
          return s.ok() && s->agent_ids_size() == 1 && s->agent_ids(0) == "agent-2" &&
                 s->last_result().agent_id() == "agent-2";
        }(),
        absl::Seconds(20));
  }
}

TEST_F(FoundationTest, CreateMonitorRejectsBadInputNamingTheField) {
  struct Case {
    std::string name;
    std::function<void(v1::Monitor&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"empty url", [](v1::Monitor& m) { m.mutable_http()->set_url(""); }, "monitor.http.url"},
      {"ftp scheme", [](v1::Monitor& m) { m.mutable_http()->set_url("ftp://127.0.0.1/x"); },
       "monitor.http.url"},
      {"interval 0", [](v1::Monitor& m) { ToProto(absl::ZeroDuration(), m.mutable_interval()); },
       "monitor.interval"},
      {"interval 25h", [](v1::Monitor& m) { ToProto(absl::Hours(25), m.mutable_interval()); },
       "monitor.interval"},
      {"timeout = interval", [](v1::Monitor& m) { ToProto(absl::Seconds(1), m.mutable_timeout()); },
       "monitor.timeout"},
      {"timeout > interval", [](v1::Monitor& m) { ToProto(absl::Seconds(5), m.mutable_timeout()); },
       "monitor.timeout"},
  };
  for (const Case& c : cases) {
    v1::Monitor m = HttpMonitor("bad-" + c.name, target_->url());
    c.mutate(m);
    auto created = cluster_.CreateMonitor(m);
    ASSERT_FALSE(created.ok()) << c.name;
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(created.status().message().find(c.field), std::string::npos)
        << c.name << ": " << created.status().message();
  }
  // Nothing was half-created.
  v1::ListMonitorsResponse list;
  ASSERT_TRUE(cluster_.monitors()
                  .ListMonitors(ClusterFixture::Context().get(), v1::ListMonitorsRequest(), &list)
                  .ok());
  EXPECT_EQ(list.monitors_size(), 0);
}

TEST_F(FoundationTest, TokensAreEnforced) {
  v1::CreateMonitorRequest req;
  *req.mutable_monitor() = HttpMonitor("authz", target_->url());
  v1::Monitor resp;

  grpc::ClientContext no_token;
  EXPECT_EQ(cluster_.monitors().CreateMonitor(&no_token, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(cluster_.monitors().CreateMonitor(ClusterFixture::Context("wrong").get(), req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(cluster_.monitors().CreateMonitor(ClusterFixture::Context(kReadToken).get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(cluster_.monitors().CreateMonitor(ClusterFixture::Context(kAgentToken).get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(cluster_.monitors().CreateMonitor(ClusterFixture::Context().get(), req, &resp).ok());

  v1::ListMonitorsResponse list;
  EXPECT_TRUE(cluster_.monitors()
                  .ListMonitors(ClusterFixture::Context(kReadToken).get(), v1::ListMonitorsRequest(), &list)
                  .ok());
  EXPECT_EQ(list.monitors_size(), 1);
}

TEST_F(FoundationTest, AgentWithWrongTokenIsRefused) {
  auto process = Process::Start(BinaryPath("uptime-agent"),
                                {"--coordinator", cluster_.address(), "--agent-id", "intruder",
                                 "--agent-token", "not-the-token", "--metrics-listen", "127.0.0.1:0"});
  ASSERT_TRUE(process.ok());
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(cluster_.ConnectedAgents(), 0);
}

}  // namespace
}  // namespace uptime::testing
