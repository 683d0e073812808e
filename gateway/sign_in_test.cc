// SignIn without a coordinator: what it decides before calling one.
#include "gateway/sign_in.h"

#include "gateway/session_cookies.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

class SignInTest : public ::testing::Test {
 protected:
  SignInTest()
      // Nothing listens there: the tests below must not need the network.
      : stubs_(grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials())),
        roles_(&clock_, absl::Milliseconds(500), 100) {}

  SignIn Make(bool trust_forwarded_for, bool tls = false) {
    return SignIn({.rpc_timeout = absl::Seconds(1),
                   .trust_forwarded_for = trust_forwarded_for,
                   .tls = tls},
                  &clock_, &stubs_, &roles_);
  }

  // Calls Login and returns its answer, which must come without a call.
  HttpResponse Login(const HttpRequest& request) {
    HttpResponse out;
    bool answered = false;
    Make(false).Login(request, [&](HttpResponse r) {
      out = std::move(r);
      answered = true;
    });
    EXPECT_TRUE(answered) << "needed the network";
    return out;
  }

  static std::string SetCookies(const HttpResponse& r) {
    std::string out;
    for (const auto& [name, value] : r.headers) {
      if (name == "Set-Cookie") out += value + "\n";
    }
    return out;
  }

  SimulatedClock clock_;
  Stubs stubs_;
  RoleCache roles_;
};

TEST_F(SignInTest, ClientAddressIsThePeerUnlessForwardingIsTrusted) {
  HttpRequest req;
  req.peer_address = "10.0.0.5";
  req.forwarded_for = " 203.0.113.7, 10.0.0.1";
  EXPECT_EQ(Make(false).ClientAddress(req), "10.0.0.5");
  EXPECT_EQ(Make(true).ClientAddress(req), "203.0.113.7");
  req.forwarded_for = "2001:db8::1";
  EXPECT_EQ(Make(true).ClientAddress(req), "2001:db8::1");
  req.forwarded_for = "not-an-address";  // garbage: the peer it is
  EXPECT_EQ(Make(true).ClientAddress(req), "10.0.0.5");
  req.forwarded_for = "";
  EXPECT_EQ(Make(true).ClientAddress(req), "10.0.0.5");
}

TEST_F(SignInTest, CookiesAreSecureUnderTls) {
  HttpRequest req;
  EXPECT_FALSE(Make(false).SecureCookies(req));
  EXPECT_TRUE(Make(false, /*tls=*/true).SecureCookies(req));
  req.forwarded_proto = "https";
  EXPECT_FALSE(Make(false).SecureCookies(req));  // not trusted
  EXPECT_TRUE(Make(true).SecureCookies(req));
  req.forwarded_proto = "http";
  EXPECT_FALSE(Make(true).SecureCookies(req));
}

TEST_F(SignInTest, LoginRefusesBadRequestsBeforeCallingTheCoordinator) {
  HttpRequest req;
  req.method = boost::beast::http::verb::post;
  req.host = "127.0.0.1:8080";
  req.body = R"({"username":"ann","password":"correct horse battery"})";

  HttpRequest cross = req;
  cross.origin = "https://evil.example";
  EXPECT_EQ(Login(cross).status, 403u);

  HttpRequest query = req;
  query.query = "password=x";
  EXPECT_EQ(Login(query).status, 400u);

  HttpRequest empty = req;
  empty.body = " ";
  EXPECT_EQ(Login(empty).status, 400u);

  HttpRequest form = req;
  form.content_type = "application/x-www-form-urlencoded";
  EXPECT_EQ(Login(form).status, 415u);

  HttpRequest malformed = req;
  malformed.body = R"({"username":"ann","password":"hunter2-secret" "totpCode":1})";
  HttpResponse r = Login(malformed);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body.find("hunter2-secret"), std::string::npos) << r.body;

  HttpRequest spoofed = req;
  spoofed.body = R"({"username":"ann","password":"x","clientAddress":"1.2.3.4"})";
  r = Login(spoofed);
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("clientAddress"), std::string::npos) << r.body;

  EXPECT_EQ(SetCookies(r), "");
}

TEST_F(SignInTest, LogoutWithoutACredentialClearsTheCookies) {
  HttpRequest req;
  req.method = boost::beast::http::verb::post;
  HttpResponse out;
  bool answered = false;
  Make(false, /*tls=*/true).Logout(req, "", [&](HttpResponse r) {
    out = std::move(r);
    answered = true;
  });
  ASSERT_TRUE(answered);
  EXPECT_EQ(out.status, 200u);
  EXPECT_EQ(out.body, "{}");
  EXPECT_EQ(SetCookies(out),
            "uptime_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure\n"
            "uptime_csrf=; Path=/; SameSite=Strict; Max-Age=0; Secure\n");
}

}  // namespace
}  // namespace uptime::gateway
