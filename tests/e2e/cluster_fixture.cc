#include "tests/e2e/cluster_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "curl/curl.h"
#include "common/auth.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/eventually.h"
#include "tests/support/ports.h"

namespace uptime::testing {
bool PortAcceptsConnections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

ClusterFixture::~ClusterFixture() {
  // Agents first, so they do not log reconnect storms into the logs.
  for (auto& [id, agent] : agents_) {
    if (agent) (void)agent->Kill();
  }
  if (coordinator_) (void)coordinator_->Kill();
}

std::unique_ptr<grpc::ClientContext> ClusterFixture::Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  AttachToken(ctx.get(), token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

absl::Status ClusterFixture::StartCoordinator(const std::vector<std::string>& extra_args) {
  port_ = PickFreePort();
  metrics_port_ = PickFreePort();
  address_ = absl::StrCat("127.0.0.1:", port_);
  std::vector<std::string> args = {"--listen", address_,
                                   "--metrics-listen", absl::StrCat("127.0.0.1:", metrics_port_),
                                   "--admin-token", kAdminToken,
                                   "--read-token", kReadToken, "--agent-token", kAgentToken,
                                   "--log-level", "debug"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  coordinator_args_ = args;
  return LaunchCoordinator();
}

absl::Status ClusterFixture::RestartCoordinator() {
  if (coordinator_) (void)coordinator_->Kill();
  return LaunchCoordinator();
}

absl::Status ClusterFixture::LaunchCoordinator() {
  auto process = Process::Start(BinaryPath("uptime-coordinator"), coordinator_args_);
  if (!process.ok()) return process.status();
  coordinator_ = std::move(*process);

  // Wait for the listening socket first: a gRPC channel whose first connect
  // is refused backs off for seconds before trying again.
  if (!WaitFor([&] { return !coordinator_->Running() || PortAcceptsConnections(port_); },
               absl::Seconds(20), absl::Milliseconds(10))) {
    return absl::UnavailableError(
        absl::StrCat("coordinator never listened; log:\n", coordinator_->ReadLog()));
  }
  if (channel_ == nullptr) channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  monitors_ = v1::MonitorService::NewStub(channel_);
  statuses_ = v1::StatusService::NewStub(channel_);
  cluster_ = v1::ClusterService::NewStub(channel_);
  auto health = grpc::health::v1::Health::NewStub(channel_);
  const bool serving = WaitFor(
      [&] {
        if (!coordinator_->Running()) return false;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
        grpc::health::v1::HealthCheckRequest req;
        grpc::health::v1::HealthCheckResponse resp;
        return health->Check(&ctx, req, &resp).ok() &&
               resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
      },
      absl::Seconds(20), absl::Milliseconds(50));
  if (!serving) {
    return absl::UnavailableError(
        absl::StrCat("coordinator did not become healthy; log:\n", coordinator_->ReadLog()));
  }
  return absl::OkStatus();
}

absl::Status ClusterFixture::StartAgent(const std::string& id, const std::string& labels) {
  // Port 0: several agents run side by side on this machine.
  std::vector<std::string> args = {"--coordinator", address_, "--agent-id", id,
                                   "--agent-token", kAgentToken, "--log-level", "debug",
                                   "--metrics-listen", "127.0.0.1:0"};
  if (!labels.empty()) {
    args.push_back("--labels");
    args.push_back(labels);
  }
  auto process = Process::Start(BinaryPath("uptime-agent"), args);
  if (!process.ok()) return process.status();
  agents_[id] = std::move(*process);
  return absl::OkStatus();
}

absl::StatusOr<v1::Monitor> ClusterFixture::CreateMonitor(const v1::Monitor& monitor) {
  v1::CreateMonitorRequest req;
  *req.mutable_monitor() = monitor;
  v1::Monitor resp;
  grpc::Status s = monitors_->CreateMonitor(Context().get(), req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp;
}

absl::StatusOr<v1::Channel> ClusterFixture::CreateChannel(const v1::Channel& channel) {
  auto notifications = v1::NotificationService::NewStub(channel_);
  v1::CreateChannelRequest req;
  *req.mutable_channel() = channel;
  v1::Channel resp;
  grpc::Status s = notifications->CreateChannel(Context().get(), req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp;
}

absl::StatusOr<v1::MonitorStatus> ClusterFixture::GetStatus(const std::string& id) {
  v1::GetStatusRequest req;
  req.set_monitor_id(id);
  v1::MonitorStatus resp;
  grpc::Status s = statuses_->GetStatus(Context().get(), req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp;
}

v1::State ClusterFixture::StateOf(const std::string& id) {
  auto status = GetStatus(id);
  return status.ok() ? status->state() : v1::STATE_UNSPECIFIED;
}

int ClusterFixture::ConnectedAgents() {
  v1::ListAgentsResponse resp;
  if (!cluster_->ListAgents(Context().get(), v1::ListAgentsRequest(), &resp).ok()) return -1;
  return resp.agents_size();
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  std::string body;
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                   +[](char* data, size_t size, size_t n, void* out) {
                     static_cast<std::string*>(out)->append(data, size * n);
                     return size * n;
                   });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return absl::UnavailableError(curl_easy_strerror(rc));
  if (status != 200) return absl::UnavailableError(absl::StrCat("HTTP ", status, ": ", body));
  return body;
}

double MetricValue(int metrics_port, const std::string& series) {
  auto text = HttpGet(metrics_port, "/metrics");
  if (!text.ok()) return -1;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double v = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &v)) return v;
    }
  }
  return -1;
}

v1::Monitor HttpMonitor(const std::string& name, const std::string& url) {
  v1::Monitor m;
  m.set_name(name);
  m.mutable_http()->set_url(url);
  ToProto(absl::Seconds(1), m.mutable_interval());
  ToProto(absl::Milliseconds(800), m.mutable_timeout());
  return m;
}

v1::Channel SlackChannel(const std::string& name, const std::string& webhook_url) {
  v1::Channel channel;
  channel.set_name(name);
  channel.set_type("slack");
  (*channel.mutable_config())["webhook_url"] = webhook_url;
  return channel;
}

void ClusterTest::SetUp() {
  ASSERT_TRUE(cluster_.StartCoordinator().ok());
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  target_ = std::move(*target);
}

}  // namespace uptime::testing
