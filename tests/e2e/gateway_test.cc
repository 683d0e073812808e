// uptime-gateway end to end, the REST mirror: every kind of route against a
// real coordinator (PostgreSQL behind it), statuses from the gateway's
// memory, bad input, and --check-config. The event stream and the status
// feed are in gateway_feed_test.cc, HTTP itself in gateway_http_test.cc.
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/e2e/gateway_fixture.h"
#include "tests/support/eventually.h"

namespace uptime::testing {
namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return absl::StrContains(haystack, needle);
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
