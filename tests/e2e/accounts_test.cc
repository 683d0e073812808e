// Accounts end to end, over real gRPC against a real coordinator with
// PostgreSQL: every method of every public service against every role (a
// table, so a new method without an access rule fails here), revocation and
// disabling taking effect at once and across a coordinator restart, and no
// password, key or session token in clear in the database or the log.
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "libpq-fe.h"
#include "gtest/gtest.h"
#include "tests/e2e/access_policy.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/postgres_server.h"
#include "uptime/v1/audit.grpc.pb.h"
#include "uptime/v1/auth.grpc.pb.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/status_page.grpc.pb.h"
#include "uptime/v1/user.grpc.pb.h"

namespace uptime::testing {
namespace {

constexpr char kBootstrapPassword[] = "bootstrap admin passphrase";
constexpr char kPassword[] = "a long enough passphrase";

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
    password_file_ = absl::StrCat(::testing::TempDir(), "/bootstrap-password-", getpid());
    FILE* f = fopen(password_file_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(kBootstrapPassword, f);
    fclose(f);
    ASSERT_TRUE(cluster_
                    .StartCoordinator({"--postgres", pg_->dsn(), "--bootstrap-admin", "root",
                                       "--bootstrap-admin-password-file", password_file_})
                    .ok());
    auth_ = v1::AuthService::NewStub(cluster_.channel());
    users_ = v1::UserService::NewStub(cluster_.channel());
  }

  // Signs in; the session token, or "" after a failure.
  std::string SignIn(const std::string& name, const std::string& password,
                     grpc::StatusCode* code = nullptr) {
    v1::LoginRequest req;
    req.set_username(name);
    req.set_password(password);
    v1::LoginResponse resp;
    grpc::Status s = auth_->Login(ClusterFixture::Context("").get(), req, &resp);
    if (code != nullptr) *code = s.error_code();
    return s.ok() ? resp.session_token() : "";
  }

  v1::User CreateUser(const std::string& name, v1::Role role, const std::string& token) {
    v1::CreateUserRequest req;
    req.mutable_user()->set_username(name);
    req.mutable_user()->set_role(role);
    req.mutable_user()->set_password(kPassword);
    v1::User user;
    grpc::Status s = users_->CreateUser(ClusterFixture::Context(token).get(), req, &user);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return user;
  }

  std::string CreateKey(const std::string& name, v1::Role role, const std::string& token) {
    v1::CreateApiKeyRequest req;
    req.mutable_api_key()->set_name(name);
    req.mutable_api_key()->set_role(role);
    v1::CreateApiKeyResponse resp;
    grpc::Status s = users_->CreateApiKey(ClusterFixture::Context(token).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.key();
  }

  grpc::StatusCode CallerCode(const std::string& token) {
    v1::Caller caller;
    return auth_->GetCaller(ClusterFixture::Context(token).get(), {}, &caller).error_code();
  }

  // Calls `method` with an empty request; the answer's code.
  grpc::StatusCode Call(const std::string& method, const std::string& token) {
    const auto* desc =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(method);
    if (desc->server_streaming() || desc->client_streaming()) {
      // Only WatchEvents: read what comes within a moment.
      v1::StatusService::Stub stub(cluster_.channel());
      auto ctx = ClusterFixture::Context(token);
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
      v1::WatchEventsRequest req;
      auto reader = stub.WatchEvents(ctx.get(), req);
      v1::Event event;
      while (reader->Read(&event)) {
      }
      return reader->Finish().error_code();
    }
    grpc::GenericStub generic(cluster_.channel());
    auto ctx = ClusterFixture::Context(token);
    grpc::Slice empty_message("", 0);  // every field at its default
    grpc::ByteBuffer request(&empty_message, 1);
    grpc::ByteBuffer response;
    grpc::Status status;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    generic.UnaryCall(ctx.get(), absl::StrCat("/", desc->service()->full_name(), "/", desc->name()),
                      grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = std::move(s);
                        done = true;
                        cv.notify_one();
                      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    return status.error_code();
  }

  std::unique_ptr<PostgresServer> pg_;
  std::string password_file_;
  ClusterFixture cluster_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::UserService::Stub> users_;
};

TEST_F(AccountsTest, EveryMethodAllowsExactlyTheRolesItShould) {
  const std::string root = SignIn("root", kBootstrapPassword);
  ASSERT_FALSE(root.empty());
  CreateUser("vera", v1::ROLE_VIEWER, root);
  CreateUser("ed", v1::ROLE_EDITOR, root);
  CreateUser("ada", v1::ROLE_ADMIN, root);
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
      {"viewer session", SignIn("vera", kPassword), Need::kViewer},
      {"editor session", SignIn("ed", kPassword), Need::kEditor},
      {"admin session", SignIn("ada", kPassword), Need::kAdmin},
  };
  credentials.push_back({"viewer key", CreateKey("k", v1::ROLE_VIEWER, credentials[4].token),
                         Need::kViewer});
  credentials.push_back({"editor key", CreateKey("k", v1::ROLE_EDITOR, credentials[5].token),
                         Need::kEditor});
  credentials.push_back({"admin key", CreateKey("k", v1::ROLE_ADMIN, credentials[6].token),
                         Need::kAdmin});
  // Every method of every public service has a row, and every row a method.
  // (Naming one message of each file links its descriptors in.)
  for (const auto* d : {v1::Monitor::descriptor(), v1::MonitorStatus::descriptor(),
                        v1::Channel::descriptor(), v1::MaintenanceWindow::descriptor(),
                        v1::StatusPage::descriptor(), v1::ClusterInfo::descriptor(),
                        v1::Caller::descriptor(), v1::User::descriptor(),
                        v1::AuditEvent::descriptor()}) {
    ASSERT_NE(d, nullptr);
  }
  std::set<std::string> methods;
  for (const std::string& name : PublicServices()) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert(service->method(i)->full_name());
      EXPECT_TRUE(AccessTable().contains(service->method(i)->full_name()))
          << service->method(i)->full_name() << " has no access rule in this test";
    }
  }
  EXPECT_EQ(methods.size(), AccessTable().size());

  int calls = 0;
  for (const auto& [method, need] : AccessTable()) {
    // Logout would end the sessions this table uses.
    if (absl::EndsWith(method, ".Logout")) continue;
    for (const Credential& c : credentials) {
      grpc::StatusCode code = Call(method, c.token);
      ++calls;
      const bool anonymous = c.token.empty();
      if (need == Need::kNone) {
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED) << method << " / " << c.label;
      } else if (anonymous) {
        EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED) << method << " / " << c.label;
      } else if (c.role >= need && c.role != Need::kNone) {
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED) << method << " / " << c.label;
        EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << method << " / " << c.label;
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << method << " / " << c.label;
      }
    }
  }
  EXPECT_GT(calls, 400);
}

TEST_F(AccountsTest, RevokedKeysDisabledUsersAndEndedSessionsAreRefusedAtOnce) {
  const std::string root = SignIn("root", kBootstrapPassword);
  v1::User ed = CreateUser("ed", v1::ROLE_EDITOR, root);
  const std::string session = SignIn("ed", kPassword);
  const std::string key = CreateKey("deploy", v1::ROLE_EDITOR, session);
  const std::string other_key = CreateKey("other", v1::ROLE_VIEWER, session);
  ASSERT_EQ(CallerCode(key), grpc::StatusCode::OK);

  // Revoke: the very next call is refused.
  v1::ListApiKeysRequest list;
  v1::ListApiKeysResponse keys;
  ASSERT_TRUE(users_->ListApiKeys(ClusterFixture::Context(session).get(), list, &keys).ok());
  ASSERT_EQ(keys.api_keys_size(), 2);
  std::string key_id;
  for (const v1::ApiKey& k : keys.api_keys()) {
    if (k.name() == "deploy") key_id = k.id();
    EXPECT_TRUE(absl::StartsWith(k.prefix(), "uk_"));
  }
  v1::RevokeApiKeyRequest revoke;
  revoke.set_id(key_id);
  google::protobuf::Empty empty;
  ASSERT_TRUE(users_->RevokeApiKey(ClusterFixture::Context(session).get(), revoke, &empty).ok());
  EXPECT_EQ(CallerCode(key), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallerCode(other_key), grpc::StatusCode::OK);

  // A coordinator restart (a failover) keeps the revoke, the other key and
  // the session.
  ASSERT_TRUE(cluster_.RestartCoordinator().ok());
  EXPECT_EQ(CallerCode(key), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallerCode(other_key), grpc::StatusCode::OK);
  EXPECT_EQ(CallerCode(session), grpc::StatusCode::OK);

  // Disable: keys and sessions stop at once.
  v1::UpdateUserRequest disable;
  disable.mutable_user()->set_id(ed.id());
  disable.mutable_user()->set_disabled(true);
  disable.mutable_update_mask()->add_paths("disabled");
  v1::User updated;
  ASSERT_TRUE(users_->UpdateUser(ClusterFixture::Context(root).get(), disable, &updated).ok());
  EXPECT_EQ(CallerCode(other_key), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallerCode(session), grpc::StatusCode::UNAUTHENTICATED);
  grpc::StatusCode login_code;
  EXPECT_EQ(SignIn("ed", kPassword, &login_code), "");
  EXPECT_EQ(login_code, grpc::StatusCode::UNAUTHENTICATED);

  // Sign-out ends the session.
  const std::string root2 = SignIn("root", kBootstrapPassword);
  ASSERT_EQ(CallerCode(root2), grpc::StatusCode::OK);
  ASSERT_TRUE(auth_->Logout(ClusterFixture::Context(root2).get(), {}, &empty).ok());
  EXPECT_EQ(CallerCode(root2), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AccountsTest, NoSecretInClearInTheDatabaseOrTheLogAndEveryChangeAudited) {
  const std::string root = SignIn("root", kBootstrapPassword);
  CreateUser("ed", v1::ROLE_EDITOR, root);
  const std::string session = SignIn("ed", kPassword);
  const std::string key = CreateKey("deploy", v1::ROLE_VIEWER, session);
  grpc::StatusCode code;
  SignIn("ed", "the wrong passphrase", &code);
  EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);

  // Everything PostgreSQL holds, every row of every table as text.
  PGconn* conn = PQconnectdb(pg_->dsn().c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* tables = PQexec(
      conn, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  ASSERT_EQ(PQresultStatus(tables), PGRES_TUPLES_OK);
  std::string everything;
  for (int i = 0; i < PQntuples(tables); ++i) {
    const std::string table = PQgetvalue(tables, i, 0);
    PGresult* rows = PQexec(conn, absl::StrCat("SELECT t::text FROM \"", table, "\" t").c_str());
    for (int r = 0; r < PQntuples(rows); ++r) absl::StrAppend(&everything, PQgetvalue(rows, r, 0), "\n");
    PQclear(rows);
  }
  PQclear(tables);
  PQfinish(conn);
  EXPECT_TRUE(absl::StrContains(everything, "$argon2id$"));
  const std::string log = cluster_.coordinator()->ReadLog();
  for (const std::string& secret :
       {std::string(kPassword), std::string(kBootstrapPassword), std::string("the wrong passphrase"),
        key, session, root}) {
    EXPECT_FALSE(absl::StrContains(everything, secret)) << "in the database: " << secret;
    EXPECT_FALSE(absl::StrContains(log, secret)) << "in the log: " << secret;
  }

  // The audit log has every change, newest first, for admins only.
  v1::AuditService::Stub audit(cluster_.channel());
  v1::ListAuditEventsRequest req;
  v1::ListAuditEventsResponse resp;
  EXPECT_EQ(audit.ListAuditEvents(ClusterFixture::Context(session).get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(audit.ListAuditEvents(ClusterFixture::Context(root).get(), req, &resp).ok());
  std::vector<std::string> actions;
  for (const v1::AuditEvent& e : resp.events()) actions.push_back(e.action());
  EXPECT_EQ(actions, (std::vector<std::string>{"session.login_failed", "api_key.create",
                                                "session.login", "user.create", "session.login",
                                                "user.create"}));
  EXPECT_EQ(resp.events(1).actor(), "ed");
  EXPECT_EQ(resp.events(3).actor(), "root");
  EXPECT_EQ(resp.events(5).actor(), "bootstrap");
}

}  // namespace
}  // namespace uptime::testing
