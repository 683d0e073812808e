#include "gateway/openapi.h"

#include <set>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gateway/router.h"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

namespace pb = google::protobuf;

TEST(OpenApiTest, DocumentListsExactlyTheRoutes) {
  const std::vector<ApiRoute>& routes = ApiRoutes();
  pb::Struct doc;
  ASSERT_TRUE(pb::util::JsonStringToMessage(OpenApiJson(routes, "test"), &doc).ok());
  EXPECT_EQ(doc.fields().at("openapi").string_value(), "3.0.3");
  const pb::Struct& paths = doc.fields().at("paths").struct_value();
  std::set<std::pair<std::string, std::string>> from_routes, from_doc;
  for (const ApiRoute& r : routes) {
    std::string method(boost::beast::http::to_string(r.method));
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    from_routes.emplace(r.pattern, method);
  }
  for (const auto& [path, item] : paths.fields()) {
    for (const auto& [method, op] : item.struct_value().fields()) {
      from_doc.emplace(path, method);
      // Every path parameter of the pattern is declared.
      std::set<std::string> declared;
      for (const pb::Value& p : op.struct_value().fields().at("parameters").list_value().values()) {
        if (p.struct_value().fields().at("in").string_value() == "path") {
          declared.insert(p.struct_value().fields().at("name").string_value());
        }
      }
      for (const std::string& param : PathParams(path)) {
        EXPECT_TRUE(declared.contains(param)) << path << " " << param;
      }
      // Every $ref resolves.
    }
  }
  EXPECT_EQ(from_routes, from_doc);
  // Every schema a route refers to exists.
  const pb::Struct& schemas =
      doc.fields().at("components").struct_value().fields().at("schemas").struct_value();
  EXPECT_TRUE(schemas.fields().contains("uptime.v1.Monitor"));
  EXPECT_TRUE(schemas.fields().contains("uptime.v1.HttpSpec"));
  EXPECT_TRUE(schemas.fields().contains("Error"));
}

TEST(OpenApiTest, EveryRouteIsRoutable) {
  Router router;
  const std::vector<ApiRoute>& routes = ApiRoutes();
  for (size_t i = 0; i < routes.size(); ++i) {
    ASSERT_TRUE(router.Add(routes[i].method, routes[i].pattern, static_cast<int>(i)).ok())
        << routes[i].pattern;
    EXPECT_TRUE(routes[i].kind != RouteKind::kProxy || routes[i].call != nullptr);
  }
}

TEST(OpenApiTest, TotpRoutesReachTheirRpcs) {
  Router router;
  const std::vector<ApiRoute>& routes = ApiRoutes();
  for (size_t i = 0; i < routes.size(); ++i) {
    ASSERT_TRUE(router.Add(routes[i].method, routes[i].pattern, static_cast<int>(i)).ok());
  }
  auto op = [&](absl::string_view path) -> std::string {
    RouteMatch m = router.Match(boost::beast::http::verb::post, path);
    if (m.result != RouteMatch::Result::kFound) return "none";
    return routes[m.route].operation_id;
  };
  EXPECT_EQ(op("/api/v1/users/me:beginTotpEnrollment"), "BeginTotpEnrollment");
  EXPECT_EQ(op("/api/v1/users/me:confirmTotpEnrollment"), "ConfirmTotpEnrollment");
  EXPECT_EQ(op("/api/v1/users/me:changePassword"), "ChangePassword");
  EXPECT_EQ(op("/api/v1/users/me:disableTotp"), "DisableTotp");
  RouteMatch m =
      router.Match(boost::beast::http::verb::post, "/api/v1/users/u-00000000000000b2:disableTotp");
  ASSERT_EQ(m.result, RouteMatch::Result::kFound);
  EXPECT_EQ(routes[m.route].body, "*");  // {"password": ...}
  EXPECT_EQ(m.params, (std::vector<std::pair<std::string, std::string>>{
                          {"user_id", "u-00000000000000b2"}}));
}

}  // namespace
}  // namespace uptime::gateway
