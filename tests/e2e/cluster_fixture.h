// ClusterFixture: real coordinator and agent processes for end-to-end tests,
// with gRPC stubs to drive them.
//
// Example:
//   ClusterFixture cluster;
//   ASSERT_TRUE(cluster.StartCoordinator().ok());
//   ASSERT_TRUE(cluster.StartAgent("a1", "region=eu").ok());
//   auto created = cluster.CreateMonitor(monitor);
#ifndef UPTIME_TESTS_E2E_CLUSTER_FIXTURE_H_
#define UPTIME_TESTS_E2E_CLUSTER_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/http_target.h"
#include "tests/support/process.h"
#include "uptime/v1/cluster.grpc.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/notification.grpc.pb.h"
#include "uptime/v1/status.grpc.pb.h"

namespace uptime::testing {

inline constexpr char kAdminToken[] = "admin-secret-token";
inline constexpr char kReadToken[] = "read-secret-token";
inline constexpr char kAgentToken[] = "agent-secret-token";

class ClusterFixture {
 public:
  ClusterFixture() = default;
  ~ClusterFixture();

  // Starts uptime-coordinator on a free port with the three tokens and waits
  // until its health service answers SERVING.
  absl::Status StartCoordinator(const std::vector<std::string>& extra_args = {});
  // Kills the coordinator (SIGKILL) if it runs, then starts it again on the
  // same ports with the same arguments.
  absl::Status RestartCoordinator();
  // Starts uptime-agent `id` with `labels` ("k=v,...") against the coordinator.
  absl::Status StartAgent(const std::string& id, const std::string& labels = "");

  Process* coordinator() { return coordinator_.get(); }
  Process* agent(const std::string& id) { return agents_[id].get(); }
  std::string address() const { return address_; }
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // Client contexts carrying a token and a 10 s deadline.
  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token = kAdminToken);

  v1::MonitorService::Stub& monitors() { return *monitors_; }
  v1::StatusService::Stub& statuses() { return *statuses_; }
  v1::ClusterService::Stub& cluster() { return *cluster_; }

  // Convenience wrappers with the admin token.
  absl::StatusOr<v1::Monitor> CreateMonitor(const v1::Monitor& monitor);
  absl::StatusOr<v1::Channel> CreateChannel(const v1::Channel& channel);
  absl::StatusOr<v1::MonitorStatus> GetStatus(const std::string& id);
  // The state, or STATE_UNSPECIFIED when the call fails.
  v1::State StateOf(const std::string& id);
  int ConnectedAgents();

 private:
  std::unique_ptr<Process> coordinator_;
  std::map<std::string, std::unique_ptr<Process>> agents_;
  absl::Status LaunchCoordinator();

  std::vector<std::string> coordinator_args_;
  std::string address_;
  int port_ = 0;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::MonitorService::Stub> monitors_;
  std::unique_ptr<v1::StatusService::Stub> statuses_;
  std::unique_ptr<v1::ClusterService::Stub> cluster_;
};

// True when 127.0.0.1:port accepts a TCP connection.
bool PortAcceptsConnections(int port);

// GETs http://127.0.0.1:port/path; the body, or an error.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

// The value of one series (e.g. `name{label="x"}`) on a /metrics page, or -1.
double MetricValue(int metrics_port, const std::string& series);

// An HTTP monitor with a 1 s interval, checked from one location.
v1::Monitor HttpMonitor(const std::string& name, const std::string& url);

// A Slack channel posting to `webhook_url` (a WebhookSink's url(...)).
v1::Channel SlackChannel(const std::string& name, const std::string& webhook_url);

// A coordinator and an HTTP target, started for each test.
class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override;

  ClusterFixture cluster_;
  std::unique_ptr<HttpTarget> target_;
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_E2E_CLUSTER_FIXTURE_H_
