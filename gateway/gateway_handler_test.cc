// GatewayHandler without a coordinator: everything answered locally (routing
// errors, bad input, reads from the snapshot with a cached role).
#include "gateway/gateway_handler.h"

#include "gateway/session_cookies.h"

#include "gtest/gtest.h"
#include "grpcpp/create_channel.h"

namespace uptime::gateway {
namespace {

namespace http = boost::beast::http;

class GatewayHandlerTest : public ::testing::Test {
 protected:
  GatewayHandlerTest()
      // Nothing listens there: a call that reached the network would fail,
      // and the tests below must not need it.
      : stubs_(grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials())),
        hub_(1, 16),
        roles_(&clock_, absl::Seconds(10), 100),
        metrics_(&registry_) {
    handler_ = *GatewayHandler::Create({.clock = &clock_,
                                        .stubs = &stubs_,
                                        .snapshot = &snapshot_,
                                        .hub = &hub_,
                                        .roles = &roles_,
                                        .metrics = &metrics_,
                                        .ready = [this] { return snapshot_.loaded(); },
                                        .after_write = nullptr});
    roles_.Put("Bearer reader", v1::ROLE_VIEWER);
    roles_.Put("Bearer nobody", absl::UnauthenticatedError("unknown token"));
    roles_.Put("Bearer us_editor", v1::ROLE_EDITOR);
    roles_.Put("Bearer us_ended", absl::UnauthenticatedError("unknown credential"));
  }

  void Load() {
    std::map<std::string, MonitorEntry> entries;
    entries["m1"].status.set_monitor_id("m1");
    entries["m1"].status.set_state(v1::STATE_UP);
    entries["m1"].labels = {{"env", "prod"}};
    snapshot_.Replace(std::move(entries), clock_.Now());
  }

  HttpResponse Call(http::verb method, const std::string& target, const std::string& auth = "",
                    const std::string& body = "") {
    HttpRequest req;
    req.method = method;
    req.authorization = auth;
    req.body = body;
    return Call(req, target);
  }

  HttpResponse Call(HttpRequest req, const std::string& target) {
    const size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    HttpResponse out;
    bool answered = false;
    handler_->Handle(req, [&](HttpResponse r) {
      out = std::move(r);
      answered = true;
    });
    EXPECT_TRUE(answered) << target << " needed the network";
    return out;
  }

  SimulatedClock clock_;
  Stubs stubs_;
  StatusSnapshot snapshot_;
  EventHub hub_;
  RoleCache roles_;
  MetricsRegistry registry_;
  GatewayMetrics metrics_;
  std::unique_ptr<GatewayHandler> handler_;
};

TEST_F(GatewayHandlerTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(Call(http::verb::get, "/healthz").status, 200u);
  EXPECT_EQ(Call(http::verb::get, "/readyz").status, 503u);
  Load();
  EXPECT_EQ(Call(http::verb::get, "/readyz").status, 200u);
  EXPECT_NE(Call(http::verb::get, "/metrics").body.find("uptime_gateway_requests_total{route=\"healthz\",code=\"200\"} 1"),
            std::string::npos);
}

TEST_F(GatewayHandlerTest, StatusReadsComeFromTheSnapshot) {
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses/m1", "Bearer reader").status, 503u);
  Load();
  HttpResponse r = Call(http::verb::get, "/api/v1/statuses/m1", "Bearer reader");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "{\"monitorId\":\"m1\",\"state\":\"STATE_UP\"}");
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses/m2", "Bearer reader").status, 404u);
  r = Call(http::verb::get, "/api/v1/statuses?labelSelector=env%3Dprod", "Bearer reader");
  ASSERT_NE(r.shared_body, nullptr);  // the cached page, not a copy
  EXPECT_NE(r.shared_body->find("m1"), std::string::npos) << *r.shared_body;
  r = Call(http::verb::get, "/api/v1/statuses:summary?label_selector=env%3Ddev", "Bearer reader");
  ASSERT_NE(r.shared_body, nullptr);
  EXPECT_NE(r.shared_body->find("\"total\":0"), std::string::npos) << *r.shared_body;
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses/m1").status, 401u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses/m1", "Bearer nobody").status, 401u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses?page_size=5000", "Bearer reader").status, 400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses?label_selector=%3D%3D", "Bearer reader").status,
            400u);
}

TEST_F(GatewayHandlerTest, RepeatedListReadsShareTheAnswerButAreEachAuthorized) {
  Load();
  const std::string list = "/api/v1/statuses?page_size=1000&label_selector=env%3Dprod";
  HttpResponse first = Call(http::verb::get, list, "Bearer reader");
  ASSERT_NE(first.shared_body, nullptr);
  HttpResponse again = Call(http::verb::get, list, "Bearer reader");
  EXPECT_EQ(again.shared_body, first.shared_body);  // parsed and rendered once
  // The caller is checked every time, before anything is served.
  EXPECT_EQ(Call(http::verb::get, list, "Bearer nobody").status, 401u);
  EXPECT_EQ(Call(http::verb::get, list).status, 401u);
  const std::string summary = "/api/v1/statuses:summary?label_selector=env%3Dprod";
  EXPECT_EQ(Call(http::verb::get, summary, "Bearer reader").shared_body,
            Call(http::verb::get, summary, "Bearer reader").shared_body);
  EXPECT_EQ(Call(http::verb::get, summary, "Bearer nobody").status, 401u);
  // Bad queries stay bad.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses?page_size=x", "Bearer reader").status, 400u);
  }
  // A change: the next read renders the new state.
  std::map<std::string, MonitorEntry> entries;
  entries["m1"].status.set_monitor_id("m1");
  entries["m1"].status.set_state(v1::STATE_DOWN);
  entries["m1"].labels = {{"env", "prod"}};
  snapshot_.Replace(std::move(entries), clock_.Now());
  HttpResponse changed = Call(http::verb::get, list, "Bearer reader");
  ASSERT_NE(changed.shared_body, nullptr);
  EXPECT_NE(changed.shared_body->find("STATE_DOWN"), std::string::npos) << *changed.shared_body;
}

TEST_F(GatewayHandlerTest, BadRequestsAreAnsweredLocally) {
  HttpResponse r = Call(http::verb::get, "/api/v1/monitors?page_sise=1", "Bearer x");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("page_sise"), std::string::npos) << r.body;
  r = Call(http::verb::post, "/api/v1/monitors", "Bearer x", "{\"nmae\":\"a\"}");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("nmae"), std::string::npos) << r.body;
  EXPECT_EQ(Call(http::verb::get, "/api/v1/monitors", "Bearer x", "{}").status, 400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/nothing").status, 404u);
  r = Call(http::verb::put, "/api/v1/monitors");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/monitors", "Bearer \x01").status, 401u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/openapi.json").status, 200u);
  EXPECT_EQ(Call(http::verb::get, "/status/x").status, 404u);
}

TEST_F(GatewayHandlerTest, EventsValidateBeforeStreaming) {
  HttpResponse r = Call(http::verb::get, "/api/v1/events?label_selector=env%3Dprod", "Bearer reader");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.sse, nullptr);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events?last_event_id=x", "Bearer reader").status, 400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events?monitor_ids=mon-1&monitor_ids=mon-2",
                 "Bearer reader")
                .status,
            200u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events?monitor_ids=", "Bearer reader").status, 400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events").status, 401u);
}

class NullSink : public SseSink {
 public:
  bool Send(std::shared_ptr<const std::string>) override { return true; }
};

TEST_F(GatewayHandlerTest, EventsWithResultsJoinTheResultClients) {
  HttpResponse r =
      Call(http::verb::get, "/api/v1/events?include_results=true&monitor_ids=m1", "Bearer reader");
  EXPECT_EQ(r.status, 200u);
  ASSERT_NE(r.sse, nullptr);
  auto sink = std::make_shared<NullSink>();
  r.sse->Attach(sink);
  EXPECT_EQ(hub_.result_clients(), 1u);
  r.sse->Detach();
  EXPECT_EQ(hub_.result_clients(), 0u);

  // Without include_results the client is not one of them.
  r = Call(http::verb::get, "/api/v1/events", "Bearer reader");
  ASSERT_NE(r.sse, nullptr);
  r.sse->Attach(sink);
  EXPECT_EQ(hub_.clients(), 1u);
  EXPECT_EQ(hub_.result_clients(), 0u);
  r.sse->Detach();
}

TEST_F(GatewayHandlerTest, EventsWithResultsAreRefusedWhenTheStreamIsOff) {
  std::unique_ptr<GatewayHandler> off = *GatewayHandler::Create({.clock = &clock_,
                                                                 .stubs = &stubs_,
                                                                 .snapshot = &snapshot_,
                                                                 .hub = &hub_,
                                                                 .roles = &roles_,
                                                                 .metrics = &metrics_,
                                                                 .results_offered = false,
                                                                 .ready = nullptr,
                                                                 .after_write = nullptr});
  HttpRequest req;
  req.method = http::verb::get;
  req.authorization = "Bearer reader";
  req.path = "/api/v1/events";
  req.query = "include_results=true";
  HttpResponse out;
  off->Handle(req, [&](HttpResponse r) { out = std::move(r); });
  EXPECT_EQ(out.status, 400u);
  EXPECT_NE(out.body.find("include_results"), std::string::npos) << out.body;
  EXPECT_NE(out.body.find("--results-stream"), std::string::npos) << out.body;
}

TEST_F(GatewayHandlerTest, SelectorReadsAreUnavailableWithoutLabels) {
  std::map<std::string, MonitorEntry> entries;
  entries["m1"].status.set_monitor_id("m1");
  // As loaded from Redis without a record of the labels.
  snapshot_.Replace(std::move(entries), clock_.Now(), /*labels_known=*/false);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses", "Bearer reader").status, 200u);
  HttpResponse r =
      Call(http::verb::get, "/api/v1/statuses?label_selector=env%3Dprod", "Bearer reader");
  EXPECT_EQ(r.status, 503u);
  EXPECT_NE(r.body.find("label_selector"), std::string::npos) << r.body;
  EXPECT_EQ(
      Call(http::verb::get, "/api/v1/statuses:summary?label_selector=env%3Dprod", "Bearer reader")
          .status,
      503u);
  Load();  // the coordinator's load brings the labels
  EXPECT_EQ(
      Call(http::verb::get, "/api/v1/statuses?label_selector=env%3Dprod", "Bearer reader").status,
      200u);
}

// A request the dashboard would send: its session in the cookie.
HttpRequest CookieRequest(http::verb method, const std::string& session,
                          const std::string& body = "") {
  HttpRequest req;
  req.method = method;
  req.cookie = "theme=dark; uptime_session=" + session + "; uptime_csrf=" + CsrfTokenFor(session);
  req.host = "127.0.0.1:8080";
  req.body = body;
  return req;
}

TEST_F(GatewayHandlerTest, TheSessionCookieIsACredential) {
  Load();
  EXPECT_EQ(Call(CookieRequest(http::verb::get, "us_editor"), "/api/v1/statuses/m1").status, 200u);
  EXPECT_EQ(Call(CookieRequest(http::verb::get, "us_ended"), "/api/v1/statuses/m1").status, 401u);
  EXPECT_EQ(Call(CookieRequest(http::verb::get, "us_editor"), "/api/v1/events").status, 200u);
  // A mangled cookie is no credential at all.
  EXPECT_EQ(Call(CookieRequest(http::verb::get, "us editor"), "/api/v1/statuses/m1").status, 401u);
  // The header wins over the cookie.
  HttpRequest both = CookieRequest(http::verb::get, "us_editor");
  both.authorization = "Bearer nobody";
  EXPECT_EQ(Call(both, "/api/v1/statuses/m1").status, 401u);
}

TEST_F(GatewayHandlerTest, CookieWritesNeedTheCsrfToken) {
  const std::string bad_monitor = "{\"nmae\":\"a\"}";
  HttpRequest req = CookieRequest(http::verb::post, "us_editor", bad_monitor);
  HttpResponse r = Call(req, "/api/v1/monitors");
  EXPECT_EQ(r.status, 403u);
  EXPECT_NE(r.body.find("\"status\":\"PERMISSION_DENIED\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("missing or wrong X-CSRF-Token header (required with cookie sign-in)"),
            std::string::npos)
      << r.body;
  req.csrf_token = CsrfTokenFor("us_other");
  EXPECT_EQ(Call(req, "/api/v1/monitors").status, 403u);
  req.csrf_token = CsrfTokenFor("us_editor");
  req.origin = "https://evil.example";
  EXPECT_EQ(Call(req, "/api/v1/monitors").status, 403u);
  // With the token and a same-site origin the request goes on (and fails
  // here on its misspelt field, before any network call).
  req.origin = "http://127.0.0.1:8080";
  r = Call(req, "/api/v1/monitors");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("nmae"), std::string::npos) << r.body;
  // DELETE and PATCH alike.
  EXPECT_EQ(Call(CookieRequest(http::verb::delete_, "us_editor"), "/api/v1/monitors/m1").status,
            403u);
  EXPECT_EQ(
      Call(CookieRequest(http::verb::patch, "us_editor", "{}"), "/api/v1/monitors/m1").status,
      403u);
  // Logout too: a cross-site page must not sign the user out.
  EXPECT_EQ(Call(CookieRequest(http::verb::post, "us_editor"), "/api/v1/auth:logout").status,
            403u);
  // A bearer header needs no token: browsers never send one by themselves.
  EXPECT_EQ(Call(http::verb::post, "/api/v1/monitors", "Bearer x", bad_monitor).status, 400u);
}

TEST_F(GatewayHandlerTest, ResourceExhaustedIs429WithRetryAfter) {
  HttpResponse r = ErrorResponse(absl::ResourceExhaustedError("locked out: retry after 8s"));
  EXPECT_EQ(r.status, 429u);
  bool found = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "Retry-After") {
      found = true;
      EXPECT_EQ(value, "8");
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace uptime::gateway
