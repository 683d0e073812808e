// GatewayHandler without a coordinator: everything answered locally (routing
// errors, bad input, reads from the snapshot with a cached role).
#include "gateway/gateway_handler.h"

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
    const size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.authorization = auth;
    req.body = body;
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
  EXPECT_NE(r.body.find("\"total\":0"), std::string::npos) << r.body;
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses/m1").status, 401u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses/m1", "Bearer nobody").status, 401u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses?page_size=5000", "Bearer reader").status, 400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/statuses?label_selector=%3D%3D", "Bearer reader").status,
            400u);
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
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events?include_results=true", "Bearer reader").status,
            400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events?last_event_id=x", "Bearer reader").status, 400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events?monitor_ids=mon-1&monitor_ids=mon-2",
                 "Bearer reader")
                .status,
            200u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events?monitor_ids=", "Bearer reader").status, 400u);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/events").status, 401u);
}

}  // namespace
}  // namespace uptime::gateway
