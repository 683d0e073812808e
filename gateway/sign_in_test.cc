// SignIn without a coordinator: what it decides before calling one; and,
// against a fake AuthService, what it forwards and how it maps the answer.
#include "gateway/sign_in.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gateway/session_cookies.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
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

// Login as a coordinator answers it for a user with a second factor.
class TotpAuth final : public v1::AuthService::Service {
 public:
  grpc::Status Login(grpc::ServerContext*, const v1::LoginRequest* req,
                     v1::LoginResponse* resp) override {
    absl::MutexLock lock(&mu_);
    last_ = *req;
    if (req->totp_code().empty()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "totp_code: required");
    }
    resp->set_session_token("us_session-for-ann");
    resp->mutable_caller()->set_name("ann");
    resp->mutable_caller()->set_role(v1::ROLE_VIEWER);
    return grpc::Status::OK;
  }

  std::optional<v1::LoginRequest> last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  absl::Mutex mu_;
  std::optional<v1::LoginRequest> last_ ABSL_GUARDED_BY(mu_);
};

TEST(SignInTotpTest, ForwardsTheCodeAndAnswersItsAbsenceWithAConflict) {
  TotpAuth auth;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&auth);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  Stubs stubs(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                  grpc::InsecureChannelCredentials()));
  SimulatedClock clock;
  RoleCache roles(&clock, absl::Milliseconds(500), 100);
  SignIn sign_in({.rpc_timeout = absl::Seconds(10)}, &clock, &stubs, &roles);
  auto login = [&](std::string body) {
    HttpRequest req;
    req.method = boost::beast::http::verb::post;
    req.host = "127.0.0.1:8080";
    req.body = std::move(body);
    absl::Notification done;
    HttpResponse out;
    sign_in.Login(req, [&](HttpResponse r) {
      out = std::move(r);
      done.Notify();
    });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(20)));
    return out;
  };

  HttpResponse r = login(R"({"username":"ann","password":"correct horse battery"})");
  EXPECT_EQ(r.status, 409u);
  EXPECT_NE(r.body.find("\"status\":\"FAILED_PRECONDITION\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"message\":\"totp_code: required\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("correct horse"), std::string::npos) << r.body;
  for (const auto& [name, value] : r.headers) EXPECT_NE(name, "Set-Cookie");

  r = login(R"({"username":"ann","password":"correct horse battery","totpCode":"123456"})");
  EXPECT_EQ(r.status, 200u) << r.body;
  ASSERT_TRUE(auth.last().has_value());
  EXPECT_EQ(auth.last()->totp_code(), "123456");
  EXPECT_EQ(auth.last()->username(), "ann");
  server->Shutdown();
}

}  // namespace
}  // namespace uptime::gateway
