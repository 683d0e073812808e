// Dashboard sign-in over cookies: parsing the Cookie header, formatting the
// Set-Cookie values, and the CSRF token that guards cookie-authenticated
// writes.
//
// The session ("us_...") lives in an HttpOnly cookie, so page scripts never
// see it; a second, script-readable cookie holds its CSRF token, which the
// web app echoes in the X-CSRF-Token header on writes. A cross-site page can
// make the browser send the cookies but can read neither, so it cannot
// produce the header. The token is derived from the session alone
// (CsrfTokenFor), so the gateway keeps no state for it: any gateway replica,
// and a restarted one, checks it the same way.
//
// Example:
//   std::optional<std::string> session = SessionFromCookieHeader(request.cookie);
//   if (session && !CsrfTokenMatches(*session, request.csrf_token)) ... 403
#ifndef UPTIME_GATEWAY_SESSION_COOKIES_H_
#define UPTIME_GATEWAY_SESSION_COOKIES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/beast/http/verb.hpp"

namespace uptime::gateway {

inline constexpr char kSessionCookieName[] = "uptime_session";
inline constexpr char kCsrfCookieName[] = "uptime_csrf";
inline constexpr char kCsrfHeaderName[] = "X-CSRF-Token";

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt.
// With the name given more than once, the first (browsers send the most
// specific path first).
std::optional<std::string> CookieValue(absl::string_view cookie_header, absl::string_view name);

// The session credential in `cookie_header`'s uptime_session cookie, or
// nullopt when there is none or its value cannot be a credential (only
// letters, digits, '_' and '-', at most 256 characters), so a mangled
// cookie is treated as no cookie rather than forwarded.
std::optional<std::string> SessionFromCookieHeader(absl::string_view cookie_header);

// base64url-without-padding(SHA-256("uptime-csrf-v1:" + session_token)).
std::string CsrfTokenFor(absl::string_view session_token);

// Whether `header_value` is the CSRF token of `session_token`, compared in
// constant time.
bool CsrfTokenMatches(absl::string_view session_token, absl::string_view header_value);

// Methods a browser may send cross-site without a preflight and that must
// not change anything: GET, HEAD, OPTIONS.
bool IsSafeMethod(boost::beast::http::verb method);

// Whether the Origin header `origin` ("https://host[:port]") names the same
// host and port as the Host header `host`. Default ports (80 for http, 443
// for https) are equivalent to none. "null" and malformed origins never
// match.
bool OriginMatchesHost(absl::string_view origin, absl::string_view host);

// The checks a cookie-authenticated request must pass: for unsafe methods,
// an X-CSRF-Token header equal to CsrfTokenFor(session) and no Origin header
// naming another host. PERMISSION_DENIED saying which failed.
absl::Status CheckCookieRequest(boost::beast::http::verb method, absl::string_view session_token,
                                absl::string_view csrf_header, absl::string_view origin,
                                absl::string_view host);

// Set-Cookie values. `max_age` is rounded down to whole seconds (at least
// 0; infinite: no Max-Age, the cookie ends with the browser session);
// `secure` adds the Secure attribute (HTTPS only).
//   uptime_session=<token>; Path=/; HttpOnly; SameSite=Strict; Max-Age=<s>[; Secure]
//   uptime_csrf=<csrf>; Path=/; SameSite=Strict; Max-Age=<s>[; Secure]
std::string SessionSetCookie(absl::string_view session_token, absl::Duration max_age, bool secure);
std::string CsrfSetCookie(absl::string_view csrf_token, absl::Duration max_age, bool secure);
// The same cookies, emptied with Max-Age=0 (the browser deletes them).
std::string ClearSessionSetCookie(bool secure);
std::string ClearCsrfSetCookie(bool secure);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_SESSION_COOKIES_H_
