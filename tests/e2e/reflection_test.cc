// grpcurl and other tools depend on server reflection: the coordinator must
// list every uptime.v1 service through grpc.reflection.v1alpha. This binary
// links its own reflection client stubs (not the server plugin).
#include <set>

#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"

namespace uptime::testing {
namespace {

namespace refl = grpc::reflection::v1alpha;

TEST(ReflectionTest, ListServicesIncludesTheWholeApi) {
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  auto stub = refl::ServerReflection::NewStub(cluster.channel());
  grpc::ClientContext ctx;
  auto stream = stub->ServerReflectionInfo(&ctx);
  refl::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  refl::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::set<std::string> names;
  for (const auto& s : resp.list_services_response().service()) names.insert(s.name());
  for (const char* want : {"uptime.v1.MonitorService", "uptime.v1.StatusService",
                           "uptime.v1.NotificationService", "uptime.v1.ClusterService",
                           "uptime.v1.AgentService", "grpc.health.v1.Health"}) {
    EXPECT_TRUE(names.contains(want)) << want;
  }

  // grpcurl then asks for the file of a symbol to learn the messages.
  req.Clear();
  req.set_file_containing_symbol("uptime.v1.MonitorService");
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_GT(resp.file_descriptor_response().file_descriptor_proto_size(), 0);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(ReflectionTest, HealthServiceServes) {
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  auto health = grpc::health::v1::Health::NewStub(cluster.channel());
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST(ReflectionTest, MetricsAndHealthEndpointsAnswer) {
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator().ok());
  auto metrics = HttpGet(cluster.metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_NE(metrics->find("uptime_coordinator_agents 0"), std::string::npos) << *metrics;
  EXPECT_NE(metrics->find("# TYPE uptime_coordinator_results_total counter"), std::string::npos);
  EXPECT_TRUE(HttpGet(cluster.metrics_port(), "/healthz").ok());
  EXPECT_TRUE(HttpGet(cluster.metrics_port(), "/readyz").ok());
  EXPECT_FALSE(HttpGet(cluster.metrics_port(), "/nope").ok());
}

}  // namespace
}  // namespace uptime::testing
