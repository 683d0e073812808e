// Mutual TLS end to end: a coordinator that requires client certificates,
// an agent and an API client that present them, and clients that don't.
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_certs.h"

namespace uptime::testing {
namespace {

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const CertPair& server,
                                          const CertPair* client) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = server.cert_pem;
  if (client != nullptr) {
    ssl.pem_cert_chain = client->cert_pem;
    ssl.pem_private_key = client->key_pem;
  }
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

grpc::StatusCode ListAgents(const std::shared_ptr<grpc::Channel>& channel, int* count) {
  auto stub = v1::ClusterService::NewStub(channel);
  v1::ListAgentsResponse resp;
  auto ctx = ClusterFixture::Context();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  grpc::Status s = stub->ListAgents(ctx.get(), v1::ListAgentsRequest(), &resp);
  if (count != nullptr) *count = resp.agents_size();
  return s.error_code();
}

TEST(TlsTest, MutualTlsAdmitsOnlyClientsWithCertificates) {
  auto dir = TempDir::Create("tls");
  ASSERT_TRUE(dir.ok());
  const absl::Time now = absl::Now();
  auto server = MakeSelfSignedCert("localhost", now - absl::Hours(1), now + absl::Hours(24), dir->path());
  auto client = MakeSelfSignedCert("agent", now - absl::Hours(1), now + absl::Hours(24), dir->path());
  ASSERT_TRUE(server.ok() && client.ok());

  const int port = PickFreePort();
  const std::string address = absl::StrCat("127.0.0.1:", port);
  auto coordinator = Process::Start(
      BinaryPath("uptime-coordinator"),
      {"--listen", address, "--metrics-listen", "127.0.0.1:0", "--admin-token", kAdminToken,
       "--agent-token", kAgentToken, "--tls-cert", server->cert_path, "--tls-key",
       server->key_path, "--tls-client-ca", client->cert_path});
  ASSERT_TRUE(coordinator.ok());
  // A channel whose first connect is refused backs off for seconds.
  ASSERT_EVENTUALLY(PortAcceptsConnections(port), absl::Seconds(20));
  auto mtls = TlsChannel(address, *server, &*client);
  ASSERT_EVENTUALLY(ListAgents(mtls, nullptr) == grpc::StatusCode::OK, absl::Seconds(20));

  // Without a client certificate, or in plaintext, nothing gets through.
  EXPECT_NE(ListAgents(TlsChannel(address, *server, nullptr), nullptr), grpc::StatusCode::OK);
  EXPECT_NE(ListAgents(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()), nullptr),
            grpc::StatusCode::OK);

  auto agent = Process::Start(
      BinaryPath("uptime-agent"),
      {"--coordinator", address, "--agent-id", "tls-agent", "--agent-token", kAgentToken,
       "--metrics-listen", "127.0.0.1:0", "--tls", "--tls-ca", server->cert_path, "--tls-cert",
       client->cert_path, "--tls-key", client->key_path, "--tls-server-name", "localhost"});
  ASSERT_TRUE(agent.ok());
  int agents = 0;
  ASSERT_EVENTUALLY(ListAgents(mtls, &agents) == grpc::StatusCode::OK && agents == 1,
                    absl::Seconds(20));
}

TEST(TlsTest, CoordinatorRefusesToStartWithHalfATlsConfig) {
  auto coordinator = Process::Start(
      BinaryPath("uptime-coordinator"),
      {"--listen", absl::StrCat("127.0.0.1:", PickFreePort()), "--metrics-listen", "",
       "--admin-token", "x", "--tls-cert", "/nonexistent.pem"});
  ASSERT_TRUE(coordinator.ok());
  auto code = (*coordinator)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok());
  EXPECT_NE(*code, 0);
  EXPECT_NE((*coordinator)->ReadLog().find("--tls-key"), std::string::npos)
      << (*coordinator)->ReadLog();
}

TEST(TlsTest, CoordinatorRefusesToStartWithoutTokens) {
  auto coordinator = Process::Start(
      BinaryPath("uptime-coordinator"),
      {"--listen", absl::StrCat("127.0.0.1:", PickFreePort()), "--metrics-listen", ""});
  ASSERT_TRUE(coordinator.ok());
  auto code = (*coordinator)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok());
  EXPECT_NE(*code, 0);
  EXPECT_NE((*coordinator)->ReadLog().find("--insecure-no-auth"), std::string::npos);
}

}  // namespace
}  // namespace uptime::testing
