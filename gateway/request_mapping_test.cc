#include "gateway/request_mapping.h"

#include "gateway/api_request.h"
#include "gtest/gtest.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::gateway {
namespace {

absl::Status Apply(const std::string& query, google::protobuf::Message* msg,
                   std::vector<std::string> excluded = {}) {
  absl::StatusOr<QueryParams> params = ParseQuery(query);
  if (!params.ok()) return params.status();
  return ApplyQuery(*params, excluded, msg);
}

TEST(RequestMappingTest, QueryParamsBySnakeOrCamelName) {
  v1::ListMonitorsRequest req;
  ASSERT_TRUE(Apply("label_selector=env%3Dprod&pageSize=10&page_token=abc", &req).ok());
  EXPECT_EQ(req.label_selector(), "env=prod");
  EXPECT_EQ(req.page_size(), 10);
  EXPECT_EQ(req.page_token(), "abc");
}

TEST(RequestMappingTest, EnumsBoolsTimestampsAndFieldMasks) {
  v1::ListStatusesRequest s;
  ASSERT_TRUE(Apply("state=STATE_DOWN", &s).ok());
  EXPECT_EQ(s.state(), v1::STATE_DOWN);
  v1::ListResultsRequest r;
  ASSERT_TRUE(Apply("failures_only=true&start_time=2026-01-02T03:04:05Z", &r).ok());
  EXPECT_TRUE(r.failures_only());
  EXPECT_EQ(r.start_time().seconds(), 1767323045);
  v1::UpdateMonitorRequest u;
  ASSERT_TRUE(Apply("update_mask=name,failure_threshold", &u, {"monitor"}).ok());
  ASSERT_EQ(u.update_mask().paths_size(), 2);
  EXPECT_EQ(u.update_mask().paths(1), "failure_threshold");
}

TEST(RequestMappingTest, ErrorsNameTheParameter) {
  v1::ListMonitorsRequest req;
  absl::Status s = Apply("page_sise=3", &req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("page_sise"), absl::string_view::npos) << s;
  s = Apply("page_size=abc", &req);
  EXPECT_NE(s.message().find("page_size"), absl::string_view::npos) << s;
  s = Apply("page_size=1&page_size=2", &req);
  EXPECT_NE(s.message().find("more than once"), absl::string_view::npos) << s;
  s = Apply("page_size=99999999999", &req);
  EXPECT_FALSE(s.ok());
  v1::ListStatusesRequest st;
  s = Apply("state=STATE_SIDEWAYS", &st);
  EXPECT_NE(s.message().find("state"), absl::string_view::npos) << s;
  v1::UpdateMonitorRequest u;
  s = Apply("monitor.name=x", &u, {"monitor"});
  EXPECT_NE(s.message().find("monitor.name"), absl::string_view::npos) << s;
  EXPECT_FALSE(Apply("label_selector=%ff", &req).ok());  // not UTF-8
  EXPECT_FALSE(Apply("a=%", &req).ok());
}

TEST(RequestMappingTest, PathParamsAndBody) {
  v1::UpdateMonitorRequest u;
  ASSERT_TRUE(ParseJsonBody(R"({"name":"web","failureThreshold":3})", u.mutable_monitor()).ok());
  ASSERT_TRUE(SetPathParam("monitor.id", "m1", &u).ok());
  EXPECT_EQ(u.monitor().id(), "m1");
  EXPECT_EQ(u.monitor().name(), "web");
  EXPECT_EQ(u.monitor().failure_threshold(), 3);
  v1::Monitor m;
  absl::Status s = ParseJsonBody(R"({"nmae":"web"})", &m);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nmae"), absl::string_view::npos) << s;
  EXPECT_FALSE(ParseJsonBody("{not json", &m).ok());
  EXPECT_FALSE(ParseJsonBody("{\"name\":\"\xff\"}", &m).ok());
  EXPECT_FALSE(SetPathParam("id", "\xff", &m).ok());
}

TEST(RequestMappingTest, RouteWithoutARequestMessageIsAnErrorNotACrash) {
  for (const ApiRoute& route : ApiRoutes()) {
    if (route.request != nullptr) continue;
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
        BuildApiRequest(route, {}, QueryParams(), "");
    EXPECT_EQ(message.status().code(), absl::StatusCode::kInternal) << route.pattern;
  }
}

TEST(RequestMappingTest, JsonQuoteEscapes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_EQ(ToJson(v1::Monitor()), "{}");
}

}  // namespace
}  // namespace uptime::gateway
