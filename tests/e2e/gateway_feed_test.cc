// uptime-gateway end to end, how statuses reach the gateway and its
// clients: server-sent events across a coordinator crash, slow clients,
// check results streamed to the clients that ask, and statuses loaded from
// Redis while the coordinator is down.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/e2e/gateway_fixture.h"
#include "tests/support/eventually.h"

namespace uptime::testing {
namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return absl::StrContains(haystack, needle);
}

// The value of an unlabelled metric on the gateway's /metrics, or -1.
double MetricValue(int port, const std::string& name) {
  const std::string text = HttpCall(port, "GET", "/metrics", "").body;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    double v;
    if (absl::ConsumePrefix(&line, name + " ") && absl::SimpleAtod(line, &v)) return v;
  }
  return -1;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// A slow SSE client on `path`: a tiny receive buffer and a small MSS (both
// set before connect: the window is small from the start, and the gateway's
// send buffer, sized by Linux from the MSS, stays small rather than the
// megabytes loopback's 64 KiB MSS gives), the request, then it never reads.
// Returns the socket, or -1.
int ConnectSlowSseClient(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int rcvbuf = 1024;
  const int mss = 536;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request = absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n",
                                           "Authorization: Bearer ", kReadToken, "\r\n\r\n");
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss)) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST_F(GatewayTest, EventsArriveResumeAndSurviveACoordinatorCrash) {
  const std::string id = CreateMonitor("ev", R"({"team":"a"})");
  ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));
  auto stream = std::make_unique<SseClient>(port_, "/api/v1/events?label_selector=team%3Da",
                                            kReadToken);
  auto other = std::make_unique<SseClient>(port_, "/api/v1/events?label_selector=team%3Db",
                                           kReadToken);
  target_->SetStatus(500);
  ASSERT_EVENTUALLY(Has(stream->text(), "\"toState\":\"STATE_DOWN\""), absl::Seconds(20));
  EXPECT_TRUE(Has(stream->text(), "event: state_change")) << stream->text();
  const uint64_t down_id = stream->LastIdWith("\"toState\":\"STATE_DOWN\"");
  ASSERT_GT(down_id, 0u);
  stream.reset();  // the client goes away...
  target_->SetStatus(200);
  ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));
  // ... and resumes: it gets what it missed.
  SseClient resumed(port_, "/api/v1/events", kReadToken, absl::StrCat(down_id));
  ASSERT_EVENTUALLY(Has(resumed.text(), "\"toState\":\"STATE_UP\""), absl::Seconds(10));
  EXPECT_FALSE(Has(resumed.text(), "event: resync")) << resumed.text();
  // An id the buffer cannot cover (from long ago) asks for a resync.
  SseClient stale(port_, "/api/v1/events", kReadToken, "1");
  ASSERT_EVENTUALLY(Has(stale.text(), "event: resync"), absl::Seconds(10));
  EXPECT_FALSE(Has(other->text(), id)) << other->text();  // filtered out

  // The coordinator dies and comes back: the client stays connected, is
  // told to resync, and keeps getting events.
  ASSERT_TRUE(cluster_.RestartCoordinator().ok());
  ASSERT_EVENTUALLY(Has(resumed.text(), "upstream reconnected"), absl::Seconds(30));
  EXPECT_FALSE(resumed.done());
  target_->SetStatus(500);
  ASSERT_EVENTUALLY(resumed.LastIdWith("\"toState\":\"STATE_DOWN\"") >
                        resumed.LastIdWith("upstream reconnected"),
                    absl::Seconds(30));
  EXPECT_FALSE(resumed.done());
}

TEST_F(GatewayTest, SlowSseClientIsDroppedWithoutHurtingOthers) {
  StartGateway({"--sse-max-queued", "32"});
  const std::string id = CreateMonitor("flappy");
  ASSERT_FALSE(id.empty());
  ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));

  const int slow = ConnectSlowSseClient(port_, "/api/v1/events");
  ASSERT_GE(slow, 0);
  absl::Cleanup close_slow = [slow] { ::close(slow); };
  // The normal client, connected at the same time.
  SseClient normal(port_, "/api/v1/events", kReadToken);
  ASSERT_EVENTUALLY(MetricValue(port_, "uptime_gateway_sse_clients") == 2, absl::Seconds(10));
  const double dropped_before =
      MetricValue(port_, "uptime_gateway_sse_dropped_slow_clients_total");
  ASSERT_GE(dropped_before, 0);

  // Events: pause and resume the monitor until the slow client's queue
  // overflows (its socket buffers fill first), bounded.
  int cycles = 0;
  const auto dropped = [&] {
    return MetricValue(port_, "uptime_gateway_sse_dropped_slow_clients_total") > dropped_before;
  };
  while (cycles < 500 && !(cycles % 10 == 0 && dropped())) {
    ASSERT_EQ(HttpCall(port_, "POST", "/api/v1/monitors/" + id + ":pause", kAdminToken).status,
              200);
    ASSERT_EQ(HttpCall(port_, "POST", "/api/v1/monitors/" + id + ":resume", kAdminToken).status,
              200);
    ++cycles;
  }
  std::cerr << "pause/resume cycles until the slow client was dropped: " << cycles << "\n";
  // (2) The slow client was dropped, once, for falling behind...
  ASSERT_EVENTUALLY(dropped(), absl::Seconds(10));
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_sse_dropped_slow_clients_total"),
            dropped_before + 1);
  // ... and once it drains its socket, it sees the end of the stream.
  ASSERT_EQ(::fcntl(slow, F_SETFL, ::fcntl(slow, F_GETFL) | O_NONBLOCK), 0);
  bool ended = false;
  ASSERT_EVENTUALLY(([&] {
                      char buf[4096];
                      ssize_t n;
                      while ((n = ::recv(slow, buf, sizeof(buf), 0)) > 0) {
                      }
                      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) ended = true;
                      return ended;
                    }()),
                    absl::Seconds(10));

  // (1) The normal client got every event, in order: every pause and every
  // resume, ids consecutive (it has no selector), no resync, still open.
  ASSERT_EVENTUALLY(Count(normal.text(), "\"toState\":\"STATE_PAUSED\"") ==
                            static_cast<size_t>(cycles) &&
                        Count(normal.text(), "\"fromState\":\"STATE_PAUSED\"") ==
                            static_cast<size_t>(cycles),
                    absl::Seconds(20));
  const std::string text = normal.text();
  EXPECT_FALSE(Has(text, "event: resync")) << text;
  EXPECT_FALSE(normal.done());
  uint64_t previous = 0;
  size_t events = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    uint64_t event_id;
    if (!absl::ConsumePrefix(&line, "id: ") || !absl::SimpleAtoi(line, &event_id)) continue;
    if (previous != 0) {
      EXPECT_EQ(event_id, previous + 1) << "after " << previous;
    }
    previous = event_id;
    ++events;
  }
  EXPECT_GE(events, static_cast<size_t>(2 * cycles));

  // (3) The gateway still serves.
  EXPECT_EQ(HttpCall(port_, "GET", "/healthz", "").status, 200);
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_sse_clients"), 1);
}

// The events in `text` of type `type`, each the text of one frame.
std::vector<std::string> Frames(const std::string& text, const std::string& type) {
  std::vector<std::string> out;
  for (absl::string_view frame : absl::StrSplit(text, "\n\n")) {
    if (Has(std::string(frame), "event: " + type + "\n")) out.emplace_back(frame);
  }
  return out;
}

// The lastResult.startTimeUs of a status as the gateway serves it, or 0.
int64_t LastResultStart(int port, const std::string& id) {
  const std::string body = HttpCall(port, "GET", "/api/v1/statuses/" + id, kReadToken).body;
  const size_t at = body.find("\"startTimeUs\":\"");
  int64_t us = 0;
  if (at == std::string::npos) return 0;
  const size_t start = at + 15;
  if (!absl::SimpleAtoi(body.substr(start, body.find('"', start) - start), &us)) return 0;
  return us;
}

TEST_F(GatewayTest, ResultsStreamOnlyToClientsThatAskAndRefreshTheSnapshot) {
  StartGateway({"--results-linger", "1s"});
  const std::string a = CreateMonitor("results-a", R"({"team":"r"})");
  const std::string b = CreateMonitor("results-b", R"({"team":"s"})");
  ASSERT_EVENTUALLY(cluster_.StateOf(a) == v1::STATE_UP && cluster_.StateOf(b) == v1::STATE_UP,
                    absl::Seconds(20));
  // Labels reach the snapshot with the load after the creation.
  ASSERT_EVENTUALLY(
      Has(HttpCall(port_, "GET", "/api/v1/statuses?label_selector=team%3Dr", kReadToken).body, a),
      absl::Seconds(10));
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_results_stream_connected"), 0);

  auto by_label = std::make_unique<SseClient>(
      port_, "/api/v1/events?include_results=true&label_selector=team%3Dr", kReadToken);
  auto by_id = std::make_unique<SseClient>(
      port_, "/api/v1/events?include_results=true&monitor_ids=" + b, kReadToken);
  SseClient states_only(port_, "/api/v1/events", kReadToken);
  // Both monitors are checked every second: a few results each.
  ASSERT_EVENTUALLY(Frames(by_label->text(), "result").size() >= 3 &&
                        Frames(by_id->text(), "result").size() >= 3,
                    absl::Seconds(20));
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_results_stream_connected"), 1);
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_sse_result_clients"), 2);
  for (const std::string& frame : Frames(by_label->text(), "result")) {
    EXPECT_TRUE(Has(frame, "\"monitorId\":\"" + a + "\"")) << frame;
    EXPECT_TRUE(Has(frame, "\"httpStatus\":200")) << frame;
    EXPECT_TRUE(Has(frame, "\"latencyUs\":")) << frame;
    EXPECT_TRUE(Has(frame, "\"agentId\":")) << frame;
    // No id: a reconnect resumes from the last state change.
    EXPECT_FALSE(Has(frame, "id: ")) << frame;
  }
  for (const std::string& frame : Frames(by_id->text(), "result")) {
    EXPECT_TRUE(Has(frame, "\"monitorId\":\"" + b + "\"")) << frame;
  }
  EXPECT_TRUE(Frames(states_only.text(), "result").empty()) << states_only.text();

  // The snapshot's last result moves with the stream, long before the 60 s
  // reload.
  const int64_t first = LastResultStart(port_, a);
  ASSERT_GT(first, 0);
  ASSERT_EVENTUALLY(LastResultStart(port_, a) > first, absl::Seconds(5));

  // A state change among the results stays resumable.
  target_->SetStatus(500);
  ASSERT_EVENTUALLY(by_label->LastIdWith("\"toState\":\"STATE_DOWN\"") > 0, absl::Seconds(20));
  const uint64_t down = by_label->LastIdWith("\"toState\":\"STATE_DOWN\"");
  const size_t results_then = Frames(by_label->text(), "result").size();
  ASSERT_EVENTUALLY(Frames(by_label->text(), "result").size() >= results_then + 3,
                    absl::Seconds(20));
  SseClient resumed(port_, "/api/v1/events?label_selector=team%3Dr", kReadToken,
                    absl::StrCat(down - 1));
  ASSERT_EVENTUALLY(resumed.LastIdWith("\"toState\":\"STATE_DOWN\"") == down,
                    absl::Seconds(10));
  EXPECT_FALSE(Has(resumed.text(), "event: resync")) << resumed.text();
  EXPECT_TRUE(Frames(by_label->text(), "result").back().find("\"success\":true") ==
              std::string::npos);
  target_->SetStatus(200);

  // Nobody wants results any more: the upstream results stream closes.
  by_label.reset();
  by_id.reset();
  ASSERT_EVENTUALLY(MetricValue(port_, "uptime_gateway_sse_result_clients") == 0,
                    absl::Seconds(10));
  ASSERT_EVENTUALLY(MetricValue(port_, "uptime_gateway_results_stream_connected") == 0,
                    absl::Seconds(10));
  EXPECT_FALSE(states_only.done());
}

TEST_F(GatewayTest, IncludeResultsIsRefusedWhenTheResultsStreamIsOff) {
  StartGateway({"--results-stream", "off"});
  HttpResult r = HttpCall(port_, "GET", "/api/v1/events?include_results=true", kReadToken);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Has(r.body, "include_results")) << r.body;
}

TEST_F(GatewayTest, SlowResultsClientIsDroppedWithoutHurtingOthers) {
  // The queue must hold a burst: agents send results in batches (~100 ms),
  // so ten monitors' results can arrive together.
  StartGateway({"--sse-max-queued", "32"});
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(CreateMonitor(absl::StrCat("busy-", i)));
  ASSERT_EVENTUALLY(cluster_.StateOf(ids.back()) == v1::STATE_UP, absl::Seconds(20));
  // A client that never reads (see ConnectSlowSseClient).
  const int slow = ConnectSlowSseClient(port_, "/api/v1/events?include_results=true");
  ASSERT_GE(slow, 0);
  absl::Cleanup close_slow = [slow] { ::close(slow); };
  SseClient normal(port_, "/api/v1/events?include_results=true", kReadToken);
  ASSERT_EVENTUALLY(MetricValue(port_, "uptime_gateway_sse_result_clients") == 2,
                    absl::Seconds(10));
  // Ten results a second fill the slow client's socket buffers, then its
  // queue of 32: it is dropped; the other client keeps its stream.
  ASSERT_EVENTUALLY(MetricValue(port_, "uptime_gateway_sse_dropped_slow_clients_total") == 1,
                    absl::Seconds(120));
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_sse_result_clients"), 1);
  const size_t seen = Frames(normal.text(), "result").size();
  ASSERT_EVENTUALLY(Frames(normal.text(), "result").size() > seen + 5, absl::Seconds(20));
  EXPECT_FALSE(normal.done());
  EXPECT_EQ(HttpCall(port_, "GET", "/healthz", "").status, 200);
}

TEST_F(GatewayTest, StatusesLoadFromRedisWhileTheCoordinatorIsDown) {
  const std::string id = CreateMonitor("cached");
  ASSERT_EVENTUALLY(cluster_.StateOf(id) == v1::STATE_UP, absl::Seconds(20));
  // The caller's role must be cached before the coordinator goes: the
  // gateway checks read access locally.
  ASSERT_TRUE(Has(HttpCall(port_, "GET", "/api/v1/statuses/" + id, kReadToken).body, "STATE_UP"));
  ASSERT_TRUE(cluster_.coordinator()->Kill().ok());
  StartGateway({"--redis", redis_->host_port()});
  // A fresh gateway has no cached roles and no coordinator to ask: reads
  // are refused (503), but the snapshot is loaded and /readyz says so.
  EXPECT_EQ(HttpCall(port_, "GET", "/readyz", "").status, 200);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/statuses/" + id, kReadToken).status, 503);
  // The coordinator comes back: the same gateway serves the read.
  ASSERT_TRUE(cluster_.RestartCoordinator().ok());
  ASSERT_EVENTUALLY(
      Has(HttpCall(port_, "GET", "/api/v1/statuses/" + id, kReadToken).body, "STATE_UP"),
      absl::Seconds(30));
}

TEST_F(GatewayTest, LabelSelectorsWorkOnStatusesLoadedFromRedis) {
  // A gateway with --redis records in Redis the labels it loads.
  StartGateway({"--redis", redis_->host_port()});
  const std::string core = CreateMonitor("core-api", R"({"team":"core"})");
  const std::string web = CreateMonitor("web", R"({"team":"web"})");
  ASSERT_EVENTUALLY(cluster_.StateOf(core) == v1::STATE_UP && cluster_.StateOf(web) == v1::STATE_UP,
                    absl::Seconds(20));
  // In Redis: both statuses (the coordinator's mirror) and a record of the
  // labels covering both (the gateway's).
  auto in_redis = [&] {
    const std::string reply = RawExchange(
        redis_->port(), "SCARD uptime:status-ids\r\nGET uptime:monitor-labels\r\nQUIT\r\n");
    return absl::StartsWith(reply, ":2\r\n") && Has(reply, core) && Has(reply, web);
  };
  ASSERT_EVENTUALLY(in_redis(), absl::Seconds(20));
  // A gateway whose own token the coordinator refuses never loads from it
  // (as if it were unreachable) and falls back to Redis, while the callers'
  // tokens are still checked by the coordinator, so reads are served from
  // the Redis snapshot.
  (void)gateway_->Kill();
  auto process = Process::Start(
      BinaryPath("uptime-gateway"),
      {"--listen", absl::StrCat("127.0.0.1:", port_), "--coordinator", cluster_.address(),
       "--token", "not-a-known-token", "--redis", redis_->host_port(), "--threads", "2",
       "--log-level", "debug"});
  ASSERT_TRUE(process.ok()) << process.status();
  gateway_ = std::move(*process);
  ASSERT_EVENTUALLY(HttpCall(port_, "GET", "/readyz", "").status == 200, absl::Seconds(20));
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_upstream_connected"), 0);
  HttpResult r =
      HttpCall(port_, "GET", "/api/v1/statuses?label_selector=team%3Dcore", kReadToken);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, core)) << r.body;
  EXPECT_FALSE(Has(r.body, web)) << r.body;
  r = HttpCall(port_, "GET", "/api/v1/statuses:summary?label_selector=team%3Dweb", kReadToken);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, R"("total":1)")) << r.body;
  EXPECT_EQ(MetricValue(port_, "uptime_gateway_upstream_connected"), 0);
}

}  // namespace
}  // namespace uptime::testing
