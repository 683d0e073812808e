#include "gateway/session_cookies.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

namespace http = boost::beast::http;

TEST(SessionCookiesTest, FindsACookieAmongOthers) {
  EXPECT_EQ(CookieValue("a=1; uptime_session=us_x; b=2", "uptime_session"), "us_x");
  EXPECT_EQ(CookieValue("uptime_session=\"us_q\"", "uptime_session"), "us_q");
  EXPECT_EQ(CookieValue("x_uptime_session=1;uptime_session=us_y", "uptime_session"), "us_y");
  EXPECT_EQ(CookieValue("uptime_session=us_1; uptime_session=us_2", "uptime_session"), "us_1");
  EXPECT_FALSE(CookieValue("a=1; b", "uptime_session").has_value());
  EXPECT_FALSE(CookieValue("", "uptime_session").has_value());
}

TEST(SessionCookiesTest, OnlyCredentialShapedSessionsCount) {
  EXPECT_EQ(SessionFromCookieHeader("uptime_session=us_AbC-_9"), "us_AbC-_9");
  EXPECT_FALSE(SessionFromCookieHeader("uptime_session=").has_value());
  EXPECT_FALSE(SessionFromCookieHeader("uptime_session=us x").has_value());
  EXPECT_FALSE(SessionFromCookieHeader("uptime_session=us_%0A").has_value());
  EXPECT_FALSE(SessionFromCookieHeader("uptime_session=" + std::string(257, 'a')).has_value());
  EXPECT_FALSE(SessionFromCookieHeader("uptime_csrf=abc").has_value());
}

TEST(SessionCookiesTest, CsrfTokenIsDerivedFromTheSession) {
  // From the shell, padding dropped:
  //   printf 'uptime-csrf-v1:us_test' | openssl dgst -sha256 -binary | basenc --base64url
  EXPECT_EQ(CsrfTokenFor("us_test"), "StxtijqhIn40P9jQWmOzAYPAosNSIGOsdEslubJhesQ");
  const std::string token = CsrfTokenFor("us_test");
  EXPECT_EQ(token.size(), 43u);  // 32 bytes, unpadded
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos);
  EXPECT_NE(CsrfTokenFor("us_other"), token);
  EXPECT_TRUE(CsrfTokenMatches("us_test", token));
  EXPECT_FALSE(CsrfTokenMatches("us_test", token.substr(1)));
  EXPECT_FALSE(CsrfTokenMatches("us_test", ""));
  EXPECT_FALSE(CsrfTokenMatches("us_other", token));
}

TEST(SessionCookiesTest, OriginMustNameTheHost) {
  EXPECT_TRUE(OriginMatchesHost("https://uptime.example.com", "uptime.example.com"));
  EXPECT_TRUE(OriginMatchesHost("https://uptime.example.com", "uptime.example.com:443"));
  EXPECT_TRUE(OriginMatchesHost("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(OriginMatchesHost("http://Uptime.Example.com:80", "uptime.example.com"));
  EXPECT_FALSE(OriginMatchesHost("https://evil.example.com", "uptime.example.com"));
  EXPECT_FALSE(OriginMatchesHost("http://127.0.0.1:8081", "127.0.0.1:8080"));
  EXPECT_FALSE(OriginMatchesHost("https://uptime.example.com:8443", "uptime.example.com"));
  EXPECT_FALSE(OriginMatchesHost("null", "uptime.example.com"));
  EXPECT_FALSE(OriginMatchesHost("https://a.com/path", "a.com"));
  EXPECT_FALSE(OriginMatchesHost("https://a.com", ""));
}

TEST(SessionCookiesTest, UnsafeCookieRequestsNeedTheToken) {
  const std::string csrf = CsrfTokenFor("us_s");
  const std::string host = "127.0.0.1:8080";
  EXPECT_TRUE(CheckCookieRequest(http::verb::get, "us_s", "", "", host).ok());
  EXPECT_TRUE(CheckCookieRequest(http::verb::head, "us_s", "", "https://evil.com", host).ok());
  EXPECT_TRUE(CheckCookieRequest(http::verb::options, "us_s", "", "", host).ok());
  for (http::verb method : {http::verb::post, http::verb::patch, http::verb::delete_,
                            http::verb::put}) {
    absl::Status missing = CheckCookieRequest(method, "us_s", "", "", host);
    EXPECT_EQ(missing.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(missing.message(),
              "missing or wrong X-CSRF-Token header (required with cookie sign-in)");
    EXPECT_EQ(CheckCookieRequest(method, "us_s", CsrfTokenFor("us_t"), "", host).code(),
              absl::StatusCode::kPermissionDenied);
    EXPECT_TRUE(CheckCookieRequest(method, "us_s", csrf, "", host).ok());
    EXPECT_TRUE(CheckCookieRequest(method, "us_s", csrf, "http://127.0.0.1:8080", host).ok());
    absl::Status cross = CheckCookieRequest(method, "us_s", csrf, "https://evil.com", host);
    EXPECT_EQ(cross.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_NE(cross.message().find("Origin"), absl::string_view::npos);
  }
}

TEST(SessionCookiesTest, SetCookieValues) {
  EXPECT_EQ(SessionSetCookie("us_abc", absl::Seconds(3600.9), false),
            "uptime_session=us_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600");
  EXPECT_EQ(SessionSetCookie("us_abc", absl::Seconds(60), true),
            "uptime_session=us_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
  EXPECT_EQ(CsrfSetCookie("tok", absl::Seconds(60), false),
            "uptime_csrf=tok; Path=/; SameSite=Strict; Max-Age=60");
  EXPECT_EQ(CsrfSetCookie("tok", absl::Seconds(60), true),
            "uptime_csrf=tok; Path=/; SameSite=Strict; Max-Age=60; Secure");
  EXPECT_EQ(SessionSetCookie("us_abc", absl::Seconds(-5), false),
            "uptime_session=us_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(SessionSetCookie("us_abc", absl::InfiniteDuration(), false),
            "uptime_session=us_abc; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(ClearSessionSetCookie(false),
            "uptime_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(ClearCsrfSetCookie(true), "uptime_csrf=; Path=/; SameSite=Strict; Max-Age=0; Secure");
}

}  // namespace
}  // namespace uptime::gateway
