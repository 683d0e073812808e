// Which HTTP checks HttpCheck takes (the rest stay curl's), and the request
// it builds.
#include <string>

#include "agents/checkers/check_spec.h"
#include "agents/checkers/http_check.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

TEST(ParsePlainHttpUrl, PartsOfPlainUrls) {
  auto u = ParsePlainHttpUrl("http://example.com");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->authority, "example.com");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/");

  u = ParsePlainHttpUrl("http://10.0.0.1:8080/health?full=1&x=%2F");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "10.0.0.1");
  EXPECT_EQ(u->authority, "10.0.0.1:8080");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/health?full=1&x=%2F");

  u = ParsePlainHttpUrl("http://[::1]:81?q");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->authority, "[::1]:81");
  EXPECT_EQ(u->target, "/?q");

  u = ParsePlainHttpUrl("http://api.example.com:80/");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->authority, "api.example.com") << "the default port is not in Host, as curl";
}

TEST(ParsePlainHttpUrl, CurlKeepsTheRest) {
  for (const char* url : {
           "https://example.com/",          // TLS
           "HTTP://example.com/",           // curl normalizes
           "http://user:pw@example.com/",   // credentials
           "http://example.com/#top",       // fragment
           "http://example.com/a/../b",     // dot segments
           "http://example.com/a/./b",
           "http://example.com/a b",        // space
           "http://exämple.com/",           // IDN
           "http://localhost:8080/",        // curl's own answer
           "http://app.localhost/",
           "http://0x7f.1/",                // IPv4 forms only curl reads
           "http://10.1/",
           "http://[fe80::1%25eth0]/",      // zone id
           "http://example.com:0/",
           "http://example.com:65536/",
           "http://example.com:/",
           "http://example.com:8a/",
           "http:///path",
           "ftp://example.com/",
       }) {
    EXPECT_FALSE(ParsePlainHttpUrl(url).has_value()) << url;
  }
}

HttpCheckSpec Spec(std::string method, std::string body, std::vector<std::string> headers) {
  HttpCheckSpec h;
  h.url = "http://example.com:8080/p";
  auto x = std::make_shared<HttpCheckSpec::Extras>();
  x->method = std::move(method);
  x->body = std::move(body);
  x->header_lines = std::move(headers);
  h.extras = std::move(x);
  return h;
}

TEST(PlainHttpRequestOk, FramingHeadersAndOddMethodsStayCurls) {
  EXPECT_TRUE(PlainHttpRequestOk(Spec("GET", "", {})));
  EXPECT_TRUE(PlainHttpRequestOk(Spec("POST", "x", {"X-A: 1", "X-Empty;", "Expect:"})));
  EXPECT_TRUE(PlainHttpRequestOk(Spec("PROPFIND", "", {"Host: other"})));
  EXPECT_FALSE(PlainHttpRequestOk(Spec("GET", "", {"Content-Length: 5"})));
  EXPECT_FALSE(PlainHttpRequestOk(Spec("GET", "", {"transfer-encoding: chunked"})));
  EXPECT_FALSE(PlainHttpRequestOk(Spec("GET", "", {"Connection: close"})));
  EXPECT_FALSE(PlainHttpRequestOk(Spec("POST", "x", {"Expect: 100-continue"})));
  EXPECT_FALSE(PlainHttpRequestOk(Spec("GET", "", {"Accept:"}))) << "curl's removal";
  EXPECT_FALSE(PlainHttpRequestOk(Spec("GET", "", {"X-A: 1\r\nX-B: 2"})));
  EXPECT_FALSE(PlainHttpRequestOk(Spec("GE T", "", {})));
}

TEST(HttpCheckRequest, AsCurlSendsIt) {
  const PlainHttpUrl url = *ParsePlainHttpUrl("http://example.com:8080/p?q=1");
  HttpCheckSpec get;
  get.url = "http://example.com:8080/p?q=1";
  EXPECT_EQ(HttpCheck::BuildRequest(get, url),
            "GET /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: " + HttpUserAgent() +
                "\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(HttpCheck::BuildRequest(Spec("DELETE", "", {"X-Empty;", "User-Agent: me"}), url),
            "DELETE /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n"
            "X-Empty:\r\nUser-Agent: me\r\nContent-Length: 0\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n");
  EXPECT_EQ(HttpCheck::BuildRequest(Spec("HEAD", "ignored", {}), url),
            "HEAD /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: " + HttpUserAgent() +
                "\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(HttpCheck::BuildRequest(
                Spec("POST", "{}", {"Content-Type: application/json", "Expect:"}), url),
            "POST /p?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: " + HttpUserAgent() +
                "\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
}

}  // namespace
}  // namespace uptime::agent
