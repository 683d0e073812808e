// Signing in to the dashboard through uptime-gateway, end to end: a real
// coordinator (PostgreSQL behind it) holds the users and sessions, the
// gateway turns a session into cookies and guards cookie writes with the
// CSRF token (docs/accounts.md, "Signing in to the dashboard").
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "curl/curl.h"
#include "gtest/gtest.h"
#include "tests/e2e/gateway_fixture.h"
#include "tests/support/eventually.h"

namespace uptime::testing {
namespace {

constexpr char kPassword[] = "correct-horse-battery-staple";

// An HTTP answer with every header kept (Set-Cookie comes twice).
struct FullResult {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names

  std::vector<std::string> All(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : headers) {
      if (n == name) out.push_back(v);
    }
    return out;
  }
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r\n") + 1);
    static_cast<std::vector<std::pair<std::string, std::string>>*>(out)->emplace_back(
        std::move(name), std::move(value));
  }
  return size * n;
}

// `timeout_ms` also ends an event stream: its status is still reported.
FullResult Request(int port, const std::string& method, const std::string& path,
                   const std::vector<std::string>& headers, const std::string& body = "",
                   long timeout_ms = 15000) {
  FullResult result;
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  if (!body.empty()) {
    list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK || code == CURLE_OPERATION_TIMEDOUT) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return result;
}

// The value of "key":"..." in a JSON body, or "".
std::string JsonString(const std::string& body, const std::string& key) {
  const std::string needle = absl::StrCat("\"", key, "\":\"");
  const size_t at = body.find(needle);
  if (at == std::string::npos) return "";
  const size_t start = at + needle.size();
  return body.substr(start, body.find('"', start) - start);
}

// A signed-in browser: its two cookies.
struct Browser {
  std::string session;
  std::string csrf;

  std::vector<std::string> Cookies() const {
    return {absl::StrCat("Cookie: uptime_session=", session, "; uptime_csrf=", csrf)};
  }
  std::vector<std::string> CookiesAndCsrf(const std::string& token) const {
    std::vector<std::string> h = Cookies();
    h.push_back(absl::StrCat("X-CSRF-Token: ", token));
    return h;
  }
};

class AccountsGatewayTest : public GatewayTest {
 protected:
  // Creates a user through the REST mirror with the static admin token.
  void CreateUser(const std::string& username, const std::string& role) {
    HttpResult r = HttpCall(port_, "POST", "/api/v1/users", kAdminToken,
                            absl::StrCat(R"({"username":")", username, R"(","role":")", role,
                                         R"(","password":")", kPassword, R"("})"));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  FullResult Login(const std::string& username, const std::string& password,
                   const std::vector<std::string>& headers = {}) {
    return Request(port_, "POST", "/api/v1/auth:login", headers,
                   absl::StrCat(R"({"username":")", username, R"(","password":")", password,
                                R"("})"));
  }

  // Signs in and checks the cookies' exact shape.
  Browser SignIn(const std::string& username) {
    FullResult r = Login(username, kPassword);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::vector<std::string> cookies = r.All("set-cookie");
    EXPECT_EQ(cookies.size(), 2u);
    Browser b;
    std::smatch m;
    static const std::regex kSession(
        "^uptime_session=(us_[A-Za-z0-9_-]+); Path=/; HttpOnly; SameSite=Strict; "
        "Max-Age=([0-9]+)$");
    static const std::regex kCsrf(
        "^uptime_csrf=([A-Za-z0-9_-]{43}); Path=/; SameSite=Strict; Max-Age=([0-9]+)$");
    for (const std::string& c : cookies) {
      if (std::regex_match(c, m, kSession)) {
        b.session = m[1].str();
        EXPECT_GT(std::stol(m[2].str()), 60) << c;
      } else if (std::regex_match(c, m, kCsrf)) {
        b.csrf = m[1].str();
      } else {
        ADD_FAILURE() << "unexpected Set-Cookie: " << c;
      }
    }
    EXPECT_FALSE(b.session.empty());
    EXPECT_FALSE(b.csrf.empty());
    // The session is never in the body; the CSRF token is, and matches.
    EXPECT_FALSE(absl::StrContains(r.body, b.session)) << r.body;
    EXPECT_EQ(JsonString(r.body, "csrfToken"), b.csrf) << r.body;
    EXPECT_EQ(JsonString(r.body, "name"), username) << r.body;
    EXPECT_EQ(r.All("cache-control"), std::vector<std::string>{"no-store"});
    return b;
  }

  std::string MonitorJson(const std::string& name) {
    return absl::StrCat(R"({"name":")", name, R"(","http":{"url":")", target_->url("/"),
                        R"("},"interval":"5s","timeout":"1s"})");
  }
};

TEST_F(AccountsGatewayTest, CookieSignInCsrfAndSignOut) {
  CreateUser("ann", "ROLE_EDITOR");

  FullResult r = Login("ann", "wrong-password-entirely");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_TRUE(r.All("set-cookie").empty());
  EXPECT_EQ(Login("nobody", kPassword).status, 401);

  const Browser ann = SignIn("ann");
  ASSERT_FALSE(HasFailure());

  // Reads with the cookie alone: proxied, and from the gateway's memory.
  r = Request(port_, "GET", "/api/v1/caller", ann.Cookies());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, "ROLE_EDITOR")) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, "CREDENTIAL_KIND_SESSION")) << r.body;
  EXPECT_EQ(Request(port_, "GET", "/api/v1/statuses", ann.Cookies()).status, 200);
  EXPECT_EQ(Request(port_, "GET", "/api/v1/users/me", ann.Cookies()).status, 200);

  // Writes: the CSRF token is required, and must be the right one.
  r = Request(port_, "POST", "/api/v1/monitors", ann.Cookies(), MonitorJson("a"));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(absl::StrContains(
      r.body, "missing or wrong X-CSRF-Token header (required with cookie sign-in)"))
      << r.body;
  r = Request(port_, "POST", "/api/v1/monitors",
              ann.CookiesAndCsrf("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), MonitorJson("b"));
  EXPECT_EQ(r.status, 403) << r.body;
  r = Request(port_, "POST", "/api/v1/monitors", ann.CookiesAndCsrf(ann.csrf), MonitorJson("c"));
  EXPECT_EQ(r.status, 200) << r.body;
  // ...and from another site, even with the token.
  std::vector<std::string> cross = ann.CookiesAndCsrf(ann.csrf);
  cross.push_back("Origin: https://evil.example");
  EXPECT_EQ(Request(port_, "POST", "/api/v1/monitors", cross, MonitorJson("d")).status, 403);
  // Neither refused write reached the coordinator.
  r = Request(port_, "GET", "/api/v1/monitors", ann.Cookies());
  EXPECT_TRUE(absl::StrContains(r.body, "\"name\":\"c\"")) << r.body;
  EXPECT_FALSE(absl::StrContains(r.body, "\"name\":\"a\"")) << r.body;
  EXPECT_FALSE(absl::StrContains(r.body, "\"name\":\"b\"")) << r.body;
  EXPECT_FALSE(absl::StrContains(r.body, "\"name\":\"d\"")) << r.body;

  // Sign out: both cookies cleared, and the session is refused at once,
  // proxied and from memory (its role was cached by the reads above).
  r = Request(port_, "POST", "/api/v1/auth:logout", ann.CookiesAndCsrf(ann.csrf));
  ASSERT_EQ(r.status, 200) << r.body;
  const absl::Time signed_out = absl::Now();
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.All("set-cookie"),
            (std::vector<std::string>{
                "uptime_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                "uptime_csrf=; Path=/; SameSite=Strict; Max-Age=0"}));
  ASSERT_EVENTUALLY(Request(port_, "GET", "/api/v1/caller", ann.Cookies()).status == 401 &&
                        Request(port_, "GET", "/api/v1/statuses", ann.Cookies()).status == 401,
                    absl::Seconds(1));
  EXPECT_LT(absl::Now() - signed_out, absl::Seconds(1));
  // Signing out again (the dashboard's second tab) still answers 200.
  r = Request(port_, "POST", "/api/v1/auth:logout", ann.CookiesAndCsrf(ann.csrf));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.All("set-cookie").size(), 2u);

  // Neither the gateway (at debug level) nor the coordinator logged the
  // password, the session or its CSRF token.
  const std::string gateway_log = gateway_->ReadLog();
  const std::string coordinator_log = cluster_.coordinator()->ReadLog();
  ASSERT_FALSE(gateway_log.empty());
  for (const std::string& secret : {std::string(kPassword), ann.session, ann.csrf}) {
    EXPECT_FALSE(absl::StrContains(gateway_log, secret)) << "gateway log has " << secret;
    EXPECT_FALSE(absl::StrContains(coordinator_log, secret)) << "coordinator log has " << secret;
  }
}

TEST_F(AccountsGatewayTest, ApiKeysNeedNoCsrfAndRevocationTakesUnderASecond) {
  CreateUser("bob", "ROLE_EDITOR");
  const Browser bob = SignIn("bob");
  ASSERT_FALSE(HasFailure());
  FullResult r = Request(port_, "POST", "/api/v1/apiKeys", bob.CookiesAndCsrf(bob.csrf),
                         R"({"name":"ci deploy","role":"ROLE_EDITOR"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string key = JsonString(r.body, "key");
  ASSERT_TRUE(absl::StartsWith(key, "uk_")) << r.body;
  const size_t id_at = r.body.find("\"apiKey\":{\"id\":\"");
  ASSERT_NE(id_at, std::string::npos) << r.body;
  const std::string key_id = JsonString(r.body.substr(id_at + 10), "id");
  EXPECT_TRUE(absl::StrContains(
      Request(port_, "GET", "/api/v1/apiKeys", bob.Cookies()).body, key_id));

  // A bearer key writes without any CSRF token.
  r = Request(port_, "POST", "/api/v1/monitors", {"Authorization: Bearer " + key},
              MonitorJson("by-key"));
  EXPECT_EQ(r.status, 200) << r.body;
  // Its role is now cached for reads from memory.
  EXPECT_EQ(Request(port_, "GET", "/api/v1/statuses", {"Authorization: Bearer " + key}).status,
            200);
  // An event stream opened with it.
  SseClient stream(port_, "/api/v1/events", key);
  absl::SleepFor(absl::Milliseconds(500));  // connected, authorized, attached
  ASSERT_FALSE(stream.done());

  // Revoked by an admin elsewhere: refused within a second everywhere.
  r = Request(port_, "DELETE", "/api/v1/apiKeys/" + key_id,
              {absl::StrCat("Authorization: Bearer ", kAdminToken)});
  ASSERT_EQ(r.status, 200) << r.body;
  const absl::Time revoked = absl::Now();
  ASSERT_EVENTUALLY(
      Request(port_, "GET", "/api/v1/statuses", {"Authorization: Bearer " + key}).status == 401 &&
          Request(port_, "GET", "/api/v1/monitors", {"Authorization: Bearer " + key}).status ==
              401,
      absl::Seconds(1));
  EXPECT_LT(absl::Now() - revoked, absl::Seconds(1));
  // The open stream is ended as well, about as fast.
  EXPECT_EVENTUALLY(stream.done(), absl::Seconds(2));

  // The audit log is readable by admins through the mirror.
  r = Request(port_, "GET", "/api/v1/auditEvents?resource_type=api_key&page_size=10",
              {absl::StrCat("Authorization: Bearer ", kAdminToken)});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Request(port_, "GET", "/api/v1/auditEvents", bob.Cookies()).status, 403);
}

TEST_F(AccountsGatewayTest, SessionSurvivesAGatewayRestart) {
  CreateUser("cy", "ROLE_EDITOR");
  const Browser cy = SignIn("cy");
  ASSERT_FALSE(HasFailure());
  StartGateway();  // a new process: nothing of the old one's memory
  FullResult r = Request(port_, "GET", "/api/v1/caller", cy.Cookies());
  EXPECT_EQ(r.status, 200) << r.body;
  // The CSRF token is derived from the session, so it still holds.
  r = Request(port_, "POST", "/api/v1/monitors", cy.CookiesAndCsrf(cy.csrf),
              MonitorJson("after-restart"));
  EXPECT_EQ(r.status, 200) << r.body;
  r = Request(port_, "GET", "/api/v1/events?monitor_ids=x", cy.Cookies(), "", 1000);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.All("content-type"),
            std::vector<std::string>{"text/event-stream; charset=utf-8"});
}

TEST_F(AccountsGatewayTest, RepeatedFailuresAreThrottledWithRetryAfter) {
  CreateUser("dee", "ROLE_VIEWER");
  FullResult r;
  for (int i = 0; i < 12 && r.status != 429; ++i) r = Login("dee", "not-the-password-at-all");
  ASSERT_EQ(r.status, 429) << r.body;
  const std::vector<std::string> retry = r.All("retry-after");
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_GE(std::stol(retry[0]), 1);
  EXPECT_TRUE(absl::StrContains(r.body, "RESOURCE_EXHAUSTED")) << r.body;
}

TEST_F(AccountsGatewayTest, ForwardedForIsUsedOnlyWhenTrusted) {
  CreateUser("eve", "ROLE_VIEWER");
  const std::vector<std::string> forwarded = {"X-Forwarded-For: 203.0.113.9, 10.1.1.1",
                                              "X-Forwarded-Proto: https"};
  FullResult r = Login("eve", kPassword, forwarded);
  ASSERT_EQ(r.status, 200) << r.body;
  for (const std::string& c : r.All("set-cookie")) {
    EXPECT_FALSE(absl::StrContains(c, "Secure")) << c;  // not trusted
  }
  StartGateway({"--trust-forwarded-for"});
  r = Login("eve", kPassword, forwarded);
  ASSERT_EQ(r.status, 200) << r.body;
  for (const std::string& c : r.All("set-cookie")) {
    EXPECT_TRUE(absl::EndsWith(c, "; Secure")) << c;
  }
  // The sign-in's audit record carries the forwarded address.
  r = Request(port_, "GET", "/api/v1/auditEvents?actor=eve&page_size=10",
              {absl::StrCat("Authorization: Bearer ", kAdminToken)});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, "203.0.113.9")) << r.body;
  // So does a change made through the mirror, with the gateway's own
  // address after it (the coordinator records what it can vouch for too).
  std::vector<std::string> write = forwarded;
  write.push_back(absl::StrCat("Authorization: Bearer ", kAdminToken));
  r = Request(port_, "POST", "/api/v1/monitors", write, MonitorJson("forwarded"));
  ASSERT_EQ(r.status, 200) << r.body;
  r = Request(port_, "GET", "/api/v1/auditEvents?resource_type=monitor&page_size=1",
              {absl::StrCat("Authorization: Bearer ", kAdminToken)});
  EXPECT_TRUE(absl::StrContains(r.body, R"("clientAddress":"203.0.113.9 via 127.0.0.1")"))
      << r.body;
  // A cross-site sign-in form is refused.
  EXPECT_EQ(Login("eve", kPassword, {"Origin: https://evil.example"}).status, 403);
}

TEST_F(AccountsGatewayTest, TheOpenApiDocumentListsTheAccountRoutes) {
  const std::string doc = HttpCall(port_, "GET", "/api/v1/openapi.json", "").body;
  for (const char* path :
       {"\"/api/v1/auth:login\"", "\"/api/v1/auth:logout\"", "\"/api/v1/users\"",
        "\"/api/v1/users/{id}\"", "\"/api/v1/users/me:changePassword\"", "\"/api/v1/apiKeys\"",
        "\"/api/v1/apiKeys/{id}\"", "\"/api/v1/auditEvents\""}) {
    EXPECT_TRUE(absl::StrContains(doc, path)) << path;
  }
}

}  // namespace
}  // namespace uptime::testing
