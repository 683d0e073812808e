#include "gateway/session_cookies.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/auth.h"

namespace uptime::gateway {

namespace http = boost::beast::http;

namespace {

// Bumping the label invalidates every CSRF token at once (all signed-in
// dashboards must reload), without touching the sessions.
constexpr char kCsrfLabel[] = "uptime-csrf-v1:";
constexpr size_t kMaxCredentialLength = 256;

bool IsCredentialChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

std::string Format(absl::string_view name, absl::string_view value, bool http_only,
                   absl::Duration max_age, bool secure) {
  // Attribute order as documented in docs/accounts.md. An infinite max_age
  // (no expiry known) leaves the cookie to the browser session.
  std::string age;
  if (max_age != absl::InfiniteDuration()) {
    age = absl::StrCat("; Max-Age=", std::max<int64_t>(0, absl::ToInt64Seconds(max_age)));
  }
  return absl::StrCat(name, "=", value, "; Path=/", http_only ? "; HttpOnly" : "",
                      "; SameSite=Strict", age, secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string> CookieValue(absl::string_view cookie_header, absl::string_view name) {
  for (absl::string_view pair : absl::StrSplit(cookie_header, ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    const size_t eq = pair.find('=');
    if (eq == absl::string_view::npos) continue;
    if (absl::StripAsciiWhitespace(pair.substr(0, eq)) != name) continue;
    absl::string_view value = absl::StripAsciiWhitespace(pair.substr(eq + 1));
    // RFC 6265 allows the value in double quotes.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::optional<std::string> SessionFromCookieHeader(absl::string_view cookie_header) {
  std::optional<std::string> value = CookieValue(cookie_header, kSessionCookieName);
  if (!value.has_value() || value->empty() || value->size() > kMaxCredentialLength ||
      !std::all_of(value->begin(), value->end(), IsCredentialChar)) {
    return std::nullopt;
  }
  return value;
}

std::string CsrfTokenFor(absl::string_view session_token) {
  const std::string input = absl::StrCat(kCsrfLabel, session_token);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  // absl's web-safe escape is base64url without padding.
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

bool CsrfTokenMatches(absl::string_view session_token, absl::string_view header_value) {
  return ConstantTimeEquals(CsrfTokenFor(session_token), header_value);
}

bool IsSafeMethod(http::verb method) {
  return method == http::verb::get || method == http::verb::head ||
         method == http::verb::options;
}

bool OriginMatchesHost(absl::string_view origin, absl::string_view host) {
  origin = absl::StripAsciiWhitespace(origin);
  host = absl::StripAsciiWhitespace(host);
  absl::string_view authority = origin;
  std::string default_port;
  if (absl::ConsumePrefix(&authority, "https://")) {
    default_port = ":443";
  } else if (absl::ConsumePrefix(&authority, "http://")) {
    default_port = ":80";
  } else {
    return false;  // "null", or not an origin
  }
  // An origin is scheme://host[:port], nothing after.
  if (authority.empty() || authority.find_first_of("/?#@ ") != absl::string_view::npos ||
      host.empty()) {
    return false;
  }
  auto normalize = [&default_port](absl::string_view s) {
    std::string out = absl::AsciiStrToLower(s);
    if (absl::EndsWith(out, default_port)) out.resize(out.size() - default_port.size());
    return out;
  };
  return normalize(authority) == normalize(host);
}

absl::Status CheckCookieRequest(http::verb method, absl::string_view session_token,
                                absl::string_view csrf_header, absl::string_view origin,
                                absl::string_view host) {
  if (IsSafeMethod(method)) return absl::OkStatus();
  if (!origin.empty() && !OriginMatchesHost(origin, host)) {
    return absl::PermissionDeniedError(
        "the Origin header names another site than the Host header (cross-site request "
        "refused with cookie sign-in)");
  }
  if (!CsrfTokenMatches(session_token, csrf_header)) {
    return absl::PermissionDeniedError(
        "missing or wrong X-CSRF-Token header (required with cookie sign-in)");
  }
  return absl::OkStatus();
}

std::string SessionSetCookie(absl::string_view session_token, absl::Duration max_age,
                             bool secure) {
  return Format(kSessionCookieName, session_token, /*http_only=*/true, max_age,
                secure);
}

std::string CsrfSetCookie(absl::string_view csrf_token, absl::Duration max_age, bool secure) {
  // Not HttpOnly: the web app reads it to send X-CSRF-Token.
  return Format(kCsrfCookieName, csrf_token, /*http_only=*/false, max_age, secure);
}

std::string ClearSessionSetCookie(bool secure) {
  return Format(kSessionCookieName, "", /*http_only=*/true, absl::ZeroDuration(), secure);
}

std::string ClearCsrfSetCookie(bool secure) {
  return Format(kCsrfCookieName, "", /*http_only=*/false, absl::ZeroDuration(), secure);
}

}  // namespace uptime::gateway
