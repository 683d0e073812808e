#include "tests/e2e/gateway_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "curl/curl.h"
#include "tests/support/eventually.h"
#include "tests/support/ports.h"

namespace uptime::testing {

namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  absl::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    (*static_cast<std::map<std::string, std::string>*>(out))[absl::AsciiStrToLower(
        line.substr(0, colon))] = std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

}  // namespace

HttpResult HttpCall(int port, const std::string& method, const std::string& path,
                    const std::string& token, const std::string& body,
                    const std::vector<std::string>& extra_headers) {
  HttpResult result;
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_slist* headers = nullptr;
  if (!token.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", token).c_str());
  }
  for (const std::string& h : extra_headers) headers = curl_slist_append(headers, h.c_str());
  if (!body.empty()) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

int ConnectLoopback(int port, int receive_buffer) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string RawExchange(int port, const std::string& raw, bool shutdown_write) {
  std::string out;
  const int fd = ConnectLoopback(port);
  if (fd < 0) return out;
  size_t sent = 0;
  while (sent < raw.size()) {
    const ssize_t n = ::send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  if (shutdown_write) ::shutdown(fd, SHUT_WR);
  char buf[4096];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

SseClient::SseClient(int port, const std::string& path, const std::string& token,
                     const std::string& last_event_id) {
  thread_ = std::thread([this, port, path, token, last_event_id] {
    CURL* curl = curl_easy_init();
    const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", token).c_str());
    if (!last_event_id.empty()) {
      headers = curl_slist_append(headers, absl::StrCat("Last-Event-ID: ", last_event_id).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                     +[](char* data, size_t size, size_t n, void* self) -> size_t {
                       auto* client = static_cast<SseClient*>(self);
                       if (client->stop_.load()) return 0;  // aborts the transfer
                       absl::MutexLock lock(&client->mu_);
                       client->text_.append(data, size * n);
                       return size * n;
                     });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION,
                     +[](void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                       return static_cast<SseClient*>(self)->stop_.load() ? 1 : 0;
                     });
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
    curl_easy_perform(curl);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    done_ = true;
  });
}

SseClient::~SseClient() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string SseClient::text() const {
  absl::MutexLock lock(&mu_);
  return text_;
}

uint64_t SseClient::LastIdWith(const std::string& needle) const {
  uint64_t found = 0;
  for (absl::string_view event : absl::StrSplit(text(), "\n\n")) {
    if (!absl::StrContains(event, needle)) continue;
    for (absl::string_view line : absl::StrSplit(event, '\n')) {
      uint64_t id;
      if (absl::ConsumePrefix(&line, "id: ") && absl::SimpleAtoi(line, &id)) found = id;
    }
  }
  return found;
}

void GatewayTest::SetUp() {
  auto pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  pg_ = std::move(*pg);
  auto redis = RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  redis_ = std::move(*redis);
  ASSERT_TRUE(
      cluster_.StartCoordinator({"--postgres", pg_->dsn(), "--redis", redis_->host_port()}).ok());
  ASSERT_TRUE(cluster_.StartAgent("a1").ok());
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  target_ = std::move(*target);
  port_ = PickFreePort();
  StartGateway();
}

void GatewayTest::TearDown() {
  if (gateway_ != nullptr && HasFailure()) {
    std::cerr << "gateway log:\n" << gateway_->ReadLog() << "\n";
  }
}

void GatewayTest::StartGateway(const std::vector<std::string>& extra) {
  if (gateway_ != nullptr) (void)gateway_->Kill();
  std::vector<std::string> args = {"--listen",      absl::StrCat("127.0.0.1:", port_),
                                   "--coordinator", cluster_.address(),
                                   "--token",       kReadToken,
                                   "--threads",     "2",
                                   "--log-level",   "debug"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto process = Process::Start(BinaryPath("uptime-gateway"), args);
  ASSERT_TRUE(process.ok()) << process.status();
  gateway_ = std::move(*process);
  ASSERT_EVENTUALLY(HttpCall(port_, "GET", "/readyz", "").status == 200, absl::Seconds(20));
}

void GatewayTest::StartGatewayTls(const std::string& cert, const std::string& key) {
  if (gateway_ != nullptr) (void)gateway_->Kill();
  auto process = Process::Start(
      BinaryPath("uptime-gateway"),
      {"--listen", absl::StrCat("127.0.0.1:", port_), "--coordinator", cluster_.address(),
       "--token", kReadToken, "--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(process.ok()) << process.status();
  gateway_ = std::move(*process);
  ASSERT_EVENTUALLY(!gateway_->Running() || PortAcceptsConnections(port_), absl::Seconds(20));
  ASSERT_TRUE(gateway_->Running()) << gateway_->ReadLog();
}

std::string GatewayTest::CreateMonitor(const std::string& name, const std::string& labels_json) {
  HttpResult r = HttpCall(
      port_, "POST", "/api/v1/monitors", kAdminToken,
      absl::StrCat(R"({"name":")", name, R"(","labels":)", labels_json, R"(,"http":{"url":")",
                   target_->url("/"), R"("},"interval":"1s","timeout":"0.800s"})"));
  EXPECT_EQ(r.status, 200) << r.body;
  const size_t at = r.body.find("\"id\":\"");
  if (at == std::string::npos) return "";
  const size_t start = at + 6;
  return r.body.substr(start, r.body.find('"', start) - start);
}

}  // namespace uptime::testing
