// gRPC health checks through the CheckEngine's loop against an in-test gRPC
// server: serving, not serving, unknown services, connection failures.
#include "agents/checkers/grpc_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "agents/checkers/checkers_test_fixture.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "tests/support/ports.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::agent {
namespace {

class GrpcCheckersTest : public CheckersTest {
 protected:
  void StartServer() {
    grpc::EnableDefaultHealthCheckService(true);
    port_ = ::uptime::testing::PickFreePort();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port_), grpc::InsecureServerCredentials());
    // gRPC refuses a server without a synchronous service of its own.
    builder.RegisterService(&unused_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  v1::AssignedMonitor Grpc(const std::string& service, int port = 0) {
    v1::AssignedMonitor am = Monitor(absl::Milliseconds(1500));
    am.mutable_monitor()->mutable_grpc()->set_target(absl::StrCat("127.0.0.1:", port ? port : port_));
    am.mutable_monitor()->mutable_grpc()->set_service(service);
    return am;
  }
  int port_ = 0;
  v1::AgentService::Service unused_;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(GrpcCheckersTest, ServingNotServingAndUnknown) {
  StartServer();
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus("api", true);
  v1::CheckResult r = Check(Grpc("api"));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_TRUE(Check(Grpc("")).success());  // the server as a whole
  health->SetServingStatus("api", false);
  r = Check(Grpc("api"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_NOT_SERVING) << r.error_message();
  EXPECT_NE(r.error_message().find("NOT_SERVING"), std::string::npos);
  r = Check(Grpc("unknown"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_NOT_SERVING) << r.error_message();
  server_->Shutdown();
}

TEST_F(GrpcCheckersTest, ConnectionFailures) {
  v1::CheckResult r = Check(Grpc("", ::uptime::testing::PickFreePort()));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  // A listener that never speaks HTTP/2: the deadline ends the call.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  r = Check(Grpc("", ntohs(addr.sin_port)));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  close(fd);
}

TEST_F(GrpcCheckersTest, TlsAgainstPlaintextServerFails) {
  StartServer();
  v1::AssignedMonitor m = Grpc("");
  m.mutable_monitor()->mutable_grpc()->set_tls(true);
  m.mutable_monitor()->mutable_grpc()->set_insecure_skip_tls_verify(true);
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TLS) << r.error_message();
  server_->Shutdown();
}

}  // namespace
}  // namespace uptime::agent
