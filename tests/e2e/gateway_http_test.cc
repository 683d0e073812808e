// uptime-gateway end to end, HTTP itself: large answers whole on a kept
// alive connection, gzip'd answers, malformed requests, a slowloris client,
// and HTTPS.
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "curl/curl.h"
#include "gateway/gzip.h"
#include "gtest/gtest.h"
#include "tests/e2e/gateway_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_certs.h"

namespace uptime::testing {
namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return absl::StrContains(haystack, needle);
}

TEST_F(GatewayTest, LargeStatusListsGoOutWholeOnAKeptAliveConnection) {
  // Enough monitors for a list past 16 KiB: from its second send on it goes
  // out with sendfile from a memory file.
  constexpr int kMonitors = 200;
  for (int i = 0; i < kMonitors; ++i) CreateMonitor(absl::StrCat("bulk-", i));
  const std::string list = "/api/v1/statuses?page_size=1000";
  auto count_up = [&] {
    const std::string body = HttpCall(port_, "GET", list, kReadToken).body;
    int n = 0;
    for (size_t at = body.find("STATE_UP"); at != std::string::npos;
         at = body.find("STATE_UP", at + 1)) {
      ++n;
    }
    return n;
  };
  ASSERT_EVENTUALLY(count_up() == kMonitors, absl::Seconds(60));
  // Several requests on one connection, a HEAD among them; the last asks
  // to close. Each answer must be whole, or the next would not parse.
  const std::string get = absl::StrCat("GET ", list, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",
                                       kReadToken, "\r\n");
  const std::string head = absl::StrCat("HEAD ", list,
                                        " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",
                                        kReadToken, "\r\n\r\n");
  const std::string raw = RawExchange(port_, absl::StrCat(get, "\r\n", get, "\r\n", head, get,
                                                          "\r\n", get, "Connection: close\r\n\r\n"));
  std::vector<std::string> bodies;
  size_t at = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t end = raw.find("\r\n\r\n", at);
    ASSERT_NE(end, std::string::npos) << "answer " << i << " missing";
    const std::string head_block = raw.substr(at, end - at);
    EXPECT_TRUE(absl::StartsWith(head_block, "HTTP/1.1 200 OK\r\n")) << head_block;
    const size_t cl = head_block.find("Content-Length: ");
    ASSERT_NE(cl, std::string::npos) << head_block;
    size_t length = 0;
    ASSERT_TRUE(absl::SimpleAtoi(
        head_block.substr(cl + 16, head_block.find("\r\n", cl) - cl - 16), &length));
    EXPECT_GT(length, 16u * 1024);
    at = end + 4;
    if (i == 2) continue;  // HEAD: no body
    ASSERT_LE(at + length, raw.size()) << "answer " << i << " cut short";
    bodies.push_back(raw.substr(at, length));
    at += length;
  }
  EXPECT_EQ(at, raw.size());  // nothing after the last answer
  // Written from memory (a body's first send) or from its file: the same
  // bytes. (A periodic reload may renew the results in between, once.)
  ASSERT_EQ(bodies.size(), 4u);
  EXPECT_TRUE(bodies[0] == bodies[1] || bodies[2] == bodies[3]);
  for (const std::string& body : bodies) {
    EXPECT_TRUE(absl::StartsWith(body, R"({"statuses":[)")) << body.substr(0, 100);
    EXPECT_TRUE(absl::EndsWith(body, "]}")) << body.substr(body.size() - 100);
  }
}

// Asks for `raw` (pipelined requests) with a small receive window, reads a
// little and hangs up with answers still on their way: the kernel resets the
// connection while the server is writing to it.
void HangUpMidAnswer(int port, const std::string& raw) {
  const int fd = ConnectLoopback(port, /*receive_buffer=*/4096);
  if (fd < 0) return;
  (void)::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  char buf[2048];
  (void)::recv(fd, buf, sizeof(buf), 0);
  ::close(fd);
}

// Whether process `pid` ignores SIGPIPE (the SigIgn mask in /proc).
bool IgnoresSigpipe(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(status, line);) {
    uint64_t mask = 0;
    if (absl::StartsWith(line, "SigIgn:") &&
        absl::SimpleHexAtoi(absl::StripAsciiWhitespace(line.substr(7)), &mask)) {
      return (mask >> (SIGPIPE - 1)) & 1;
    }
  }
  return false;
}

TEST_F(GatewayTest, ClientsHangingUpMidAnswerLeaveTheServerRunning) {
  // Lists past 16 KiB go out with sendfile(2), which raises SIGPIPE on a
  // reset connection unless the process ignores it.
  for (int i = 0; i < 200; ++i) CreateMonitor(absl::StrCat("bulk-", i));
  const std::string list = "/api/v1/statuses?page_size=1000";
  ASSERT_EVENTUALLY(HttpCall(port_, "GET", list, kReadToken).body.size() > 16u * 1024,
                    absl::Seconds(60));
  std::string raw;
  for (int i = 0; i < 8; ++i) {
    absl::StrAppend(&raw, "GET ", list, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",
                    kReadToken, "\r\n\r\n");
  }
  EXPECT_TRUE(IgnoresSigpipe(gateway_->pid()));
  for (int round = 0; round < 50; ++round) HangUpMidAnswer(port_, raw);
  EXPECT_TRUE(gateway_->Running());
  EXPECT_EQ(HttpCall(port_, "GET", "/healthz", "").status, 200);
}

TEST_F(GatewayTest, LargeAnswersGoOutGzipdOnlyToClientsThatAsk) {
  // A list of a few KiB: past the size from which answers are compressed.
  constexpr int kMonitors = 30;
  std::string id;
  for (int i = 0; i < kMonitors; ++i) id = CreateMonitor(absl::StrCat("gz-", i));
  const std::string list = "/api/v1/statuses?page_size=1000";
  ASSERT_EVENTUALLY(Has(HttpCall(port_, "GET", list, kReadToken).body, id), absl::Seconds(20));
  const std::vector<std::string> gzip = {"Accept-Encoding: gzip"};
  // The snapshot may move on between two requests (a reload): compare a
  // gzip'd answer with the plain ones just before and after it when those
  // two agree.
  HttpResult zipped;
  std::string plain;
  auto plain_around_zipped_agree = [&] {
    const std::string before = HttpCall(port_, "GET", list, kReadToken).body;
    zipped = HttpCall(port_, "GET", list, kReadToken, "", gzip);
    plain = HttpCall(port_, "GET", list, kReadToken).body;
    return before == plain;
  };
  ASSERT_EVENTUALLY(plain_around_zipped_agree(), absl::Seconds(20));
  EXPECT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.headers["content-encoding"], "gzip");
  EXPECT_EQ(zipped.headers["vary"], "Accept-Encoding");
  EXPECT_LT(zipped.body.size(), plain.size() / 3);
  absl::StatusOr<std::string> unzipped = gateway::Gunzip(zipped.body);
  ASSERT_TRUE(unzipped.ok()) << unzipped.status();
  EXPECT_EQ(*unzipped, plain);
  // Without the header, or refusing gzip: plain, still marked as varying.
  for (const std::vector<std::string>& headers :
       {std::vector<std::string>{}, std::vector<std::string>{"Accept-Encoding: gzip;q=0"}}) {
    HttpResult r = HttpCall(port_, "GET", list, kReadToken, "", headers);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.count("content-encoding"), 0u) << r.headers["content-encoding"];
    EXPECT_EQ(r.headers["vary"], "Accept-Encoding");
    EXPECT_TRUE(absl::StartsWith(r.body, R"({"statuses":[)")) << r.body.substr(0, 100);
  }
  // A small answer stays plain even when gzip is welcome.
  HttpResult one = HttpCall(port_, "GET", "/api/v1/statuses/" + id, kReadToken, "", gzip);
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.headers.count("content-encoding"), 0u);
  EXPECT_TRUE(Has(one.body, id)) << one.body;
}

TEST_F(GatewayTest, MalformedHttpGets4xxAndTheServerKeepsServing) {
  std::string reply = RawExchange(port_, "GARBAGE\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 400")) << reply;
  reply = RawExchange(port_, absl::StrCat("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ",
                                          std::string(64 * 1024, 'a'), "\r\n\r\n"));
  EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 431")) << reply.substr(0, 100);
  reply = RawExchange(port_,
                      "POST /api/v1/monitors HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                      "{\"name\"",
                      /*shutdown_write=*/true);
  EXPECT_TRUE(reply.empty() || absl::StartsWith(reply, "HTTP/1.1 400")) << reply;
  reply = RawExchange(port_, absl::StrCat("POST /api/v1/monitors HTTP/1.1\r\nHost: x\r\n"
                                          "Content-Length: 2000000\r\n\r\n"));
  EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 413")) << reply;
  reply = RawExchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: bogus\r\n"
                             "Content-Length: 3\r\n\r\nabc");
  EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 4") || reply.empty()) << reply;
  // Still serving.
  EXPECT_EQ(HttpCall(port_, "GET", "/healthz", "").status, 200);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/statuses", kReadToken).status, 200);
}

TEST_F(GatewayTest, SlowlorisClientIsCutOff) {
  StartGateway({"--idle-timeout", "1s"});
  // Half a request head, then silence: the server closes the connection
  // rather than wait.
  const std::string reply = RawExchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
  EXPECT_FALSE(absl::StartsWith(reply, "HTTP/1.1 200")) << reply;
  EXPECT_EQ(HttpCall(port_, "GET", "/healthz", "").status, 200);
}

TEST_F(GatewayTest, ServesHttpsWithHsts) {
  auto dir = TempDir::Create("uptime-gateway-tls-");
  ASSERT_TRUE(dir.ok());
  auto cert = MakeSelfSignedCert("localhost", absl::Now() - absl::Hours(1),
                                 absl::Now() + absl::Hours(24), dir->path());
  ASSERT_TRUE(cert.ok()) << cert.status();
  StartGatewayTls(cert->cert_path, cert->key_path);
  CURL* curl = curl_easy_init();
  std::string body, headers;
  const std::string url = absl::StrCat("https://localhost:", port_, "/healthz");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  // Only loopback: pin localhost to 127.0.0.1 so no resolver is asked.
  curl_slist* resolve =
      curl_slist_append(nullptr, absl::StrCat("localhost:", port_, ":127.0.0.1").c_str());
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(curl, CURLOPT_CAINFO, cert->cert_path.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                   +[](char* d, size_t s, size_t n, void* out) {
                     static_cast<std::string*>(out)->append(d, s * n);
                     return s * n;
                   });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION,
                   +[](char* d, size_t s, size_t n, void* out) {
                     static_cast<std::string*>(out)->append(d, s * n);
                     return s * n;
                   });
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &headers);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  curl_slist_free_all(resolve);
  ASSERT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(Has(headers, "Strict-Transport-Security: max-age=31536000")) << headers;
  // Plain HTTP on the TLS port is not served.
  EXPECT_EQ(HttpCall(port_, "GET", "/healthz", "").status, 0);
}

}  // namespace
}  // namespace uptime::testing
