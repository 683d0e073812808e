// HttpCheck through the CheckEngine's loop against a loopback server that
// answers each connection with bytes written as given (framings, splits,
// broken answers), and its hand-over of redirects to curl. The common HTTP
// behaviour (statuses, keywords, timeouts, refused ports) is tested for both
// clients in agents/engine/check_engine_test.cc.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agents/checkers/checkers_test_fixture.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

// Answers connection i with replies[min(i, last)], written piece by piece
// (a short pause between pieces, so the client sees them in separate
// reads), then closes. Records each request's bytes (header and the body
// its Content-Length announces). `answer_first`: the answer goes out as
// soon as the connection is accepted, before the request is read.
using Replies = std::vector<std::vector<std::string>>;

class CannedServer {
 public:
  explicit CannedServer(Replies replies, bool answer_first = false)
      : replies_(std::move(replies)), answer_first_(answer_first) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), len), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CannedServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  std::vector<std::string> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  void Serve() {
    for (size_t i = 0; !stop_; ++i) {
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      const std::vector<std::string>& reply = replies_[std::min(i, replies_.size() - 1)];
      if (answer_first_) Answer(c, reply);
      std::string request;
      char buf[4096];
      while (true) {
        const size_t end = request.find("\r\n\r\n");
        if (end != std::string::npos) {
          size_t length = 0;
          if (const size_t at = request.find("Content-Length: "); at != std::string::npos) {
            length = std::stoul(request.substr(at + 16));
          }
          if (request.size() >= end + 4 + length) break;
        }
        const ssize_t n = recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      {
        absl::MutexLock lock(&mu_);
        requests_.push_back(request);
      }
      if (!answer_first_) Answer(c, reply);
      close(c);
    }
  }

  static void Answer(int c, const std::vector<std::string>& reply) {
    for (const std::string& piece : reply) {
      send(c, piece.data(), piece.size(), MSG_NOSIGNAL);
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  const Replies replies_;
  const bool answer_first_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::vector<std::string> requests_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

class HttpChecksTest : public CheckersTest {
 protected:
  static v1::AssignedMonitor Http(const std::string& url, const std::string& keyword = "") {
    v1::AssignedMonitor m = Monitor();
    m.mutable_monitor()->mutable_http()->set_url(url);
    m.mutable_monitor()->mutable_http()->set_keyword(keyword);
    return m;
  }
};

TEST_F(HttpChecksTest, HttpBodiesInEveryFramingAndSplit) {
  // The header split mid-line, a chunked body with the keyword across two
  // chunks, a body delimited by the close (HTTP/1.0).
  CannedServer chunked(Replies{{"HTTP/1.1 200 OK\r\nTransfer-Enc",
                         "oding: chunked\r\n\r\n4\r\nall \r\n",
                         "5\r\nhealt\r\n3\r\nhy.\r\n0\r\n\r\n"}});
  v1::CheckResult r = Check(Http(chunked.url("/"), "healthy"));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_GT(r.first_byte_us(), 0);
  r = Check(Http(chunked.url("/"), "broken"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_KEYWORD) << r.error_message();

  CannedServer until_close(Replies{{"HTTP/1.0 200 OK\r\n\r\nstatus: ", "ok"}});
  r = Check(Http(until_close.url("/"), "status: ok"));
  EXPECT_TRUE(r.success()) << r.error_message();

  // The answer is there before the request is out: its readable edge
  // arrives with (or before) the connected one and must not be lost.
  CannedServer early(Replies{{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly"}},
                     /*answer_first=*/true);
  r = Check(Http(early.url("/"), "early"));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_LT(r.latency_us(), 1'000'000) << "read at once, not at the timeout";
}

TEST_F(HttpChecksTest, HttpHeadAndInterimAnswers) {
  // HEAD: the announced length has no body behind it.
  CannedServer head(Replies{{"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"}});
  v1::AssignedMonitor m = Http(head.url("/"));
  m.mutable_monitor()->mutable_http()->set_method("HEAD");
  SetTimeout(m, absl::Milliseconds(1500));
  v1::CheckResult r = Check(m);
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_LT(r.latency_us(), 1'000'000) << "did not wait for a body";
  EXPECT_TRUE(absl::StartsWith(head.requests().at(0), "HEAD / HTTP/1.1\r\n"));

  // 100 Continue, then the answer.
  CannedServer interim(Replies{{"HTTP/1.1 100 Continue\r\n\r\n",
                         "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"}});
  r = Check(Http(interim.url("/")));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_STATUS) << r.error_message();
  EXPECT_EQ(r.http_status(), 503);
}

TEST_F(HttpChecksTest, HttpBrokenAnswersAreProtocolErrors) {
  CannedServer not_http(Replies{{"SSH-2.0-OpenSSH_9.2\r\n"}});
  CannedServer truncated(Replies{{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"}});
  CannedServer endless_header(
      Replies{{absl::StrCat("HTTP/1.1 200 OK\r\nX-Big: ", std::string(120 * 1024, 'a'), "\r\n\r\n")}});
  CannedServer silent_close(Replies{{}});
  for (CannedServer* server : {&not_http, &truncated, &endless_header, &silent_close}) {
    v1::CheckResult r = Check(Http(server->url("/")));
    EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_PROTOCOL) << server->port() << ": "
                                                        << r.error_message();
    EXPECT_FALSE(r.error_message().empty());
  }
}

TEST_F(HttpChecksTest, HttpRequestIsWhatCurlWouldSend) {
  CannedServer server(Replies{{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}});
  v1::AssignedMonitor m = Http(server.url("/api/v1?x=1&y=%20"));
  v1::HttpSpec* http = m.mutable_monitor()->mutable_http();
  http->set_method("post");
  http->set_body("a=1");
  auto* h = http->add_headers();
  h->set_name("X-Empty");  // sent with an empty value
  h = http->add_headers();
  h->set_name("Accept");
  h->set_value("application/json");
  ASSERT_TRUE(Check(m).success());
  const std::string request = server.requests().at(0);
  EXPECT_TRUE(absl::StartsWith(request, "POST /api/v1?x=1&y=%20 HTTP/1.1\r\n")) << request;
  EXPECT_TRUE(absl::StrContains(request, absl::StrCat("\r\nHost: 127.0.0.1:", server.port(),
                                                      "\r\n")))
      << request;
  EXPECT_TRUE(absl::StrContains(request, "\r\nUser-Agent: uptime-agent/")) << request;
  EXPECT_TRUE(absl::StrContains(request, "\r\nAccept: application/json\r\n")) << request;
  EXPECT_FALSE(absl::StrContains(request, "*/*")) << "the monitor's Accept replaces ours";
  EXPECT_TRUE(absl::StrContains(request, "\r\nX-Empty:\r\n")) << request;
  EXPECT_TRUE(absl::StrContains(request, "\r\nContent-Length: 3\r\n")) << request;
  EXPECT_FALSE(absl::StrContains(request, "Expect")) << request;
  EXPECT_TRUE(absl::EndsWith(request, "\r\n\r\na=1")) << request;
}

TEST_F(HttpChecksTest, HttpRedirectGoesOnWithCurl) {
  // A relative Location: resolved against the URL that answered it, then
  // curl takes the rest (here one more hop) within the same timeout.
  CannedServer server(Replies{{"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"},
                       {"HTTP/1.1 301 Moved\r\nLocation: /last\r\nContent-Length: 0\r\n\r\n"},
                       {"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nlanded"}});
  v1::CheckResult r = Check(Http(server.url("/first"), "landed"));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(r.http_status(), 200);
  const std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(absl::StartsWith(requests[1], "GET /next HTTP/1.1")) << requests[1];
  EXPECT_TRUE(absl::StartsWith(requests[2], "GET /last HTTP/1.1")) << requests[2];
  EXPECT_GE(r.latency_us(), 40'000) << "counts from the first request (two 20 ms pauses)";
  EXPECT_EQ(r.monitor_id(), "m");

  // Not followed: the redirect is the answer.
  CannedServer once(Replies{{"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"}});
  v1::AssignedMonitor m = Http(once.url("/first"));
  m.mutable_monitor()->mutable_http()->set_follow_redirects(false);
  r = Check(m);
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(r.http_status(), 302);
  EXPECT_EQ(once.requests().size(), 1u);
}

}  // namespace
}  // namespace uptime::agent
