// The access policy through the REST mirror: every route of uptime-gateway
// against every kind of credential (static tokens, sessions and API keys of
// each role), checked against the same table as the gRPC test
// (access_policy.h). The gateway forwards credentials and serves some reads
// from memory; either way the answer must be the coordinator's rule.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gateway/api_routes.h"
#include "gtest/gtest.h"
#include "tests/e2e/access_policy.h"
#include "tests/e2e/gateway_fixture.h"
#include "uptime/v1/auth.grpc.pb.h"
#include "uptime/v1/user.grpc.pb.h"

namespace uptime::testing {
namespace {

constexpr char kPassword[] = "a long enough passphrase";

// "/api/v1/monitors/{id}:pause" -> "/api/v1/monitors/x-missing:pause".
std::string FillPath(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    out += "x-missing";
    i = pattern.find('}', i);
  }
  return out;
}

// Routes the gateway answers itself, with no RPC of the same name.
Need GatewayOnlyNeed(const std::string& operation) {
  if (operation == "SummarizeStatuses") return Need::kViewer;
  if (operation == "LookupStatusPage") return Need::kViewer;  // GetStatusPage by slug
  return Need::kNone;  // the OpenAPI document, sign-in
}

class AccountsRestTest : public GatewayTest {
 protected:
  std::string SignIn(const std::string& name) {
    v1::AuthService::Stub auth(cluster_.channel());
    v1::LoginRequest req;
    req.set_username(name);
    req.set_password(kPassword);
    v1::LoginResponse resp;
    grpc::Status s = auth.Login(ClusterFixture::Context("").get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.session_token();
  }
  void CreateUser(const std::string& name, v1::Role role) {
    v1::UserService::Stub users(cluster_.channel());
    v1::CreateUserRequest req;
    req.mutable_user()->set_username(name);
    req.mutable_user()->set_role(role);
    req.mutable_user()->set_password(kPassword);
    v1::User user;
    grpc::Status s = users.CreateUser(ClusterFixture::Context(kAdminToken).get(), req, &user);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::string CreateKey(const std::string& session, v1::Role role) {
    v1::UserService::Stub users(cluster_.channel());
    v1::CreateApiKeyRequest req;
    req.mutable_api_key()->set_name("rest");
    req.mutable_api_key()->set_role(role);
    v1::CreateApiKeyResponse resp;
    grpc::Status s = users.CreateApiKey(ClusterFixture::Context(session).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.key();
  }
};

TEST_F(AccountsRestTest, EveryRouteAllowsExactlyTheRolesItShould) {
  CreateUser("vera", v1::ROLE_VIEWER);
  CreateUser("ed", v1::ROLE_EDITOR);
  CreateUser("ada", v1::ROLE_ADMIN);
  struct Credential {
    std::string label;
    std::string token;
    Need role;
  };
  std::vector<Credential> credentials = {
      {"no credential", "", Need::kNone},
      {"agent token", kAgentToken, Need::kNone},
      {"read token", kReadToken, Need::kViewer},
      {"admin token", kAdminToken, Need::kAdmin},
      {"viewer session", SignIn("vera"), Need::kViewer},
      {"editor session", SignIn("ed"), Need::kEditor},
      {"admin session", SignIn("ada"), Need::kAdmin},
  };
  credentials.push_back({"viewer key", CreateKey(credentials[4].token, v1::ROLE_VIEWER),
                         Need::kViewer});
  credentials.push_back({"editor key", CreateKey(credentials[5].token, v1::ROLE_EDITOR),
                         Need::kEditor});
  credentials.push_back({"admin key", CreateKey(credentials[6].token, v1::ROLE_ADMIN),
                         Need::kAdmin});

  int checked = 0;
  for (const gateway::ApiRoute& route : gateway::ApiRoutes()) {
    const std::string method = absl::StrCat("uptime.v1.", route.tag, ".", route.operation_id);
    // The event stream never ends by itself (the SSE tests cover its
    // access); signing out would end the sessions this table uses.
    if (route.operation_id == "WatchEvents" || route.operation_id == "Logout") continue;
    auto rule = AccessTable().find(method);
    const Need need = rule != AccessTable().end() ? rule->second : GatewayOnlyNeed(route.operation_id);
    // Everyone may read their own user and remove their own second factor
    // ("me"); another user's needs admin, which the ownership tests check.
    const bool own = route.operation_id == "GetUser" || route.operation_id == "DisableTotp";
    std::string path = FillPath(route.pattern);
    if (own) path = absl::StrReplaceAll(path, {{"/users/x-missing", "/users/me"}});
    const std::string verb(boost::beast::http::to_string(route.method));
    const bool has_body = route.method == boost::beast::http::verb::post ||
                          route.method == boost::beast::http::verb::patch;
    for (const Credential& c : credentials) {
      HttpResult r = HttpCall(port_, verb, path, c.token, has_body ? "{}" : "",
                              has_body ? std::vector<std::string>{"Content-Type: application/json"}
                                       : std::vector<std::string>{});
      ++checked;
      const std::string where = absl::StrCat(verb, " ", path, " (", method, ") / ", c.label, ": ",
                                             r.status, " ", r.body);
      ASSERT_NE(r.status, 0) << where;
      if (need == Need::kNone) {
        EXPECT_NE(r.status, 403) << where;
      } else if (c.token.empty()) {
        EXPECT_EQ(r.status, 401) << where;
      } else if (c.role != Need::kNone && c.role >= need) {
        EXPECT_NE(r.status, 401) << where;
        EXPECT_NE(r.status, 403) << where;
      } else {
        EXPECT_EQ(r.status, 403) << where;
      }
    }
  }
  EXPECT_GT(checked, 400);
}

}  // namespace
}  // namespace uptime::testing
