// uptime-gateway end to end: the REST mirror against a real coordinator
// (PostgreSQL behind it), statuses from the gateway's memory, server-sent
// events across a coordinator crash, and hostile HTTP.
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
#include "curl/curl.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_certs.h"

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

TEST_F(GatewayTest, MonitorRoutesMirrorTheApi) {
  const std::string id = CreateMonitor("web", R"({"env":"prod"})");
  ASSERT_FALSE(id.empty());
  HttpResult r = HttpCall(port_, "GET", "/api/v1/monitors/" + id, kReadToken);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, "\"name\":\"web\"")) << r.body;
  EXPECT_TRUE(Has(r.headers["content-type"], "application/json"));
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  EXPECT_TRUE(Has(r.headers["content-security-policy"], "frame-ancestors 'none'"));

  r = HttpCall(port_, "GET", "/api/v1/monitors?label_selector=env%3Dprod&pageSize=10", kReadToken);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, id)) << r.body;
  r = HttpCall(port_, "GET", "/api/v1/monitors?label_selector=env%3Ddev", kReadToken);
  EXPECT_FALSE(Has(r.body, id)) << r.body;

  r = HttpCall(port_, "PATCH", "/api/v1/monitors/" + id + "?update_mask=name", kAdminToken,
               R"({"name":"web2","failureThreshold":7})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, "\"name\":\"web2\"")) << r.body;
  EXPECT_FALSE(Has(r.body, "\"failureThreshold\":7")) << r.body;  // not in the mask

  r = HttpCall(port_, "POST", "/api/v1/monitors/" + id + ":pause", kAdminToken);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, "\"paused\":true")) << r.body;
  r = HttpCall(port_, "POST", "/api/v1/monitors/" + id + ":resume", kAdminToken);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(Has(r.body, "\"paused\":true")) << r.body;

  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/monitors/" + id + "/results?page_size=5", kReadToken)
                .status,
            200);
  r = HttpCall(port_, "GET", "/api/v1/monitors/" + id + "/uptime", kReadToken);
  EXPECT_EQ(r.status, 200) << r.body;
  // Many monitors' 24h uptime at once, from the coordinator's summary (ready
  // shortly after it starts), filtered like the other lists.
  EXPECT_EVENTUALLY((r = HttpCall(port_, "GET", "/api/v1/uptimes?label_selector=env%3Dprod",
                                  kReadToken))
                            .status == 200,
                    absl::Seconds(15));
  EXPECT_TRUE(Has(r.body, "\"monitorId\":\"" + id + "\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "\"window\":\"24h\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "\"computedAt\":")) << r.body;
  EXPECT_TRUE(Has(r.body, "\"uptimePercent\":")) << r.body;
  EXPECT_FALSE(Has(HttpCall(port_, "GET", "/api/v1/uptimes?label_selector=env%3Ddev", kReadToken)
                       .body,
                   id));
  r = HttpCall(port_, "GET", "/api/v1/uptimes?window=90d", kReadToken);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(Has(r.body, "window:")) << r.body;
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/uptimes?page_size=5000", kReadToken).status, 400);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/uptimes", "").status, 401);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/incidents?open_only=true", kReadToken).status, 200);
  // The agent connects in the background: wait for it rather than race it.
  EXPECT_EVENTUALLY(Has((r = HttpCall(port_, "GET", "/api/v1/agents", kReadToken)).body,
                        "\"agentId\":\"a1\""),
                    absl::Seconds(15));
  r = HttpCall(port_, "GET", "/api/v1/cluster", kReadToken);
  EXPECT_TRUE(Has(r.body, "\"isLeader\":true")) << r.body;

  r = HttpCall(port_, "DELETE", "/api/v1/monitors/" + id, kAdminToken);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/monitors/" + id, kReadToken).status, 404);
}

TEST_F(GatewayTest, ChannelMaintenanceAndCallerRoutes) {
  HttpResult r = HttpCall(port_, "POST", "/api/v1/channels", kAdminToken,
                          R"({"name":"ops","type":"webhook","config":{"url":"http://127.0.0.1:1/x"},)"
               R"("labels":{"managed-by":"uptimectl"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, R"("labels":{"managed-by":"uptimectl"})")) << r.body;
  const size_t at = r.body.find("\"id\":\"") + 6;
  const std::string channel = r.body.substr(at, r.body.find('"', at) - at);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/channels/" + channel, kAdminToken).status, 200);
  EXPECT_TRUE(Has(HttpCall(port_, "GET", "/api/v1/channels", kAdminToken).body, channel));
  EXPECT_TRUE(Has(HttpCall(port_, "GET", "/api/v1/channels?label_selector=managed-by%3Duptimectl",
                           kAdminToken).body,
                  channel));
  EXPECT_FALSE(Has(
      HttpCall(port_, "GET", "/api/v1/channels?label_selector=managed-by%3Dother", kAdminToken).body,
      channel));
  r = HttpCall(port_, "PATCH", "/api/v1/channels/" + channel + "?update_mask=labels", kAdminToken,
               R"({"labels":{"team":"ops"}})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, R"("labels":{"team":"ops"})")) << r.body;
  r = HttpCall(port_, "PATCH", "/api/v1/channels/" + channel + "?update_mask=name", kAdminToken,
               R"({"name":"ops2"})");
  EXPECT_EQ(r.status, 200) << r.body;
  r = HttpCall(port_, "POST", "/api/v1/channels/" + channel + ":test", kAdminToken);
  EXPECT_EQ(r.status, 200) << r.body;  // delivered or not, the answer says
  EXPECT_EQ(HttpCall(port_, "DELETE", "/api/v1/channels/" + channel, kAdminToken).status, 200);

  r = HttpCall(port_, "POST", "/api/v1/maintenanceWindows", kAdminToken,
               R"({"name":"upgrade","labelSelector":"env=prod",)"
               R"("startTime":"2030-01-01T00:00:00Z","endTime":"2030-01-01T01:00:00Z"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t wat = r.body.find("\"id\":\"") + 6;
  const std::string window = r.body.substr(wat, r.body.find('"', wat) - wat);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/maintenanceWindows/" + window, kReadToken).status, 200);
  EXPECT_TRUE(Has(HttpCall(port_, "GET", "/api/v1/maintenanceWindows", kReadToken).body, window));
  r = HttpCall(port_, "PATCH", "/api/v1/maintenanceWindows/" + window + "?update_mask=name",
               kAdminToken, R"({"name":"upgrade2"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HttpCall(port_, "DELETE", "/api/v1/maintenanceWindows/" + window, kAdminToken).status,
            200);

  EXPECT_TRUE(Has(HttpCall(port_, "GET", "/api/v1/caller", kAdminToken).body, "ROLE_ADMIN"));
  EXPECT_TRUE(Has(HttpCall(port_, "GET", "/api/v1/caller", kReadToken).body, "ROLE_VIEWER"));
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/caller", "nope").status, 401);

  r = HttpCall(port_, "GET", "/api/v1/openapi.json", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, "\"/api/v1/monitors/{id}:pause\"")) << r.body.substr(0, 200);
}

TEST_F(GatewayTest, BadInputIsRejectedAndChangesNothing) {
  const std::string before = HttpCall(port_, "GET", "/api/v1/monitors", kReadToken).body;
  // A misspelt field.
  HttpResult r = HttpCall(port_, "POST", "/api/v1/monitors", kAdminToken,
                          R"({"nmae":"x","http":{"url":"http://127.0.0.1:1/"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Has(r.body, "nmae")) << r.body;
  EXPECT_TRUE(Has(r.body, "\"status\":\"INVALID_ARGUMENT\"")) << r.body;
  // A value the coordinator rejects, named with its field.
  r = HttpCall(port_, "POST", "/api/v1/monitors", kAdminToken,
               R"({"name":"x","http":{"url":"ftp://example"},"interval":"1s"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Has(r.body, "monitor.http.url")) << r.body;
  EXPECT_TRUE(Has(r.body, "fieldViolations")) << r.body;
  // Not JSON, not UTF-8, unknown query parameter, a body where none goes.
  EXPECT_EQ(HttpCall(port_, "POST", "/api/v1/monitors", kAdminToken, "{not json").status, 400);
  EXPECT_EQ(HttpCall(port_, "POST", "/api/v1/monitors", kAdminToken, "{\"name\":\"\xff\"}").status,
            400);
  r = HttpCall(port_, "GET", "/api/v1/monitors?page_sise=3", kReadToken);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Has(r.body, "page_sise")) << r.body;
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/monitors?page_size=x", kReadToken).status, 400);
  // Auth: none, unknown, read token on a write.
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/monitors", "").status, 401);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/monitors", "wrong").status, 401);
  r = HttpCall(port_, "POST", "/api/v1/monitors", kReadToken,
               R"({"name":"x","http":{"url":"http://127.0.0.1:1/"},"interval":"1s"})");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/statuses", "").status, 401);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/statuses", "wrong").status, 401);
  // Not found, and a method the route does not take.
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/monitors/doesnotexist", kReadToken).status, 404);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/statuses/doesnotexist", kReadToken).status, 404);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/nothing", kReadToken).status, 404);
  EXPECT_EQ(HttpCall(port_, "PUT", "/api/v1/monitors", kAdminToken).status, 405);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/monitors", kReadToken).body, before);
}

TEST_F(GatewayTest, StatusesAreServedFromMemory) {
  const std::string up = CreateMonitor("up", R"({"env":"prod"})");
  ASSERT_EVENTUALLY(
      Has(HttpCall(port_, "GET", "/api/v1/statuses/" + up, kReadToken).body, "STATE_UP"),
      absl::Seconds(20));
  // Labels come with the snapshot's next load after the monitor appeared.
  ASSERT_EVENTUALLY(
      Has(HttpCall(port_, "GET", "/api/v1/statuses?label_selector=env%3Dprod", kReadToken).body,
          up),
      absl::Seconds(10));
  HttpResult r = HttpCall(port_, "GET", "/api/v1/statuses?label_selector=env%3Ddev", kReadToken);
  EXPECT_FALSE(Has(r.body, up)) << r.body;
  r = HttpCall(port_, "GET", "/api/v1/statuses?state=STATE_DOWN", kReadToken);
  EXPECT_FALSE(Has(r.body, up)) << r.body;
  r = HttpCall(port_, "GET", "/api/v1/statuses:summary", kReadToken);
  EXPECT_TRUE(Has(r.body, "\"STATE_UP\":1")) << r.body;
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/statuses?label_selector=%3D%3D", kReadToken).status,
            400);
  // A state change reaches the snapshot through the event stream.
  target_->SetStatus(500);
  ASSERT_EVENTUALLY(
      Has(HttpCall(port_, "GET", "/api/v1/statuses/" + up, kReadToken).body, "STATE_DOWN"),
      absl::Seconds(20));
  r = HttpCall(port_, "GET", "/metrics", "");
  EXPECT_TRUE(Has(r.body, "uptime_gateway_requests_total{route=\"GetStatus\",code=\"200\"}"))
      << r.body;
  EXPECT_TRUE(Has(r.body, "uptime_gateway_snapshot_age_seconds")) << r.body;
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

TEST(GatewayConfigTest, CheckConfigValidatesAndOpensNoSockets) {
  auto ok = Process::Start(BinaryPath("uptime-gateway"),
                           {"--check-config", "--token", "t", "--listen", "127.0.0.1:1"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*(*ok)->Wait(absl::Seconds(10)), 0);
  EXPECT_TRUE(Has((*ok)->ReadLog(), "config ok")) << (*ok)->ReadLog();
  auto bad = Process::Start(BinaryPath("uptime-gateway"),
                            {"--check-config", "--token", "t", "--tls-cert", "/nonexistent"});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(*(*bad)->Wait(absl::Seconds(10)), 2);
  EXPECT_TRUE(Has((*bad)->ReadLog(), "--tls-")) << (*bad)->ReadLog();
  auto env = Process::Start(BinaryPath("uptime-gateway"), {"--check-config"},
                            {{"UPTIME_TOKEN", "t"}, {"UPTIME_LISTEN", "nonsense"}});
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(*(*env)->Wait(absl::Seconds(10)), 2);
  EXPECT_TRUE(Has((*env)->ReadLog(), "--listen")) << (*env)->ReadLog();
}

}  // namespace
}  // namespace uptime::testing
