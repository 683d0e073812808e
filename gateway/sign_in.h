// SignIn: the dashboard's POST /api/v1/auth:login and auth:logout.
//
// Login forwards username, password and TOTP code to AuthService.Login with
// the client's address (the TCP peer, or with `trust_forwarded_for` the
// first X-Forwarded-For entry) and answers with two cookies: the session in
// an HttpOnly one, its CSRF token (session_cookies.h) in one the web app can
// read. The session token itself is never in the body. Logout ends the
// session with AuthService.Logout, forgets it in the RoleCache at once, and
// clears both cookies.
//
// Nothing here logs: passwords, session tokens and cookies pass through
// only.
//
// Thread-safety: thread-safe; never blocks (gRPC's callback API, answers
// from gRPC's threads).
#ifndef UPTIME_GATEWAY_SIGN_IN_H_
#define UPTIME_GATEWAY_SIGN_IN_H_

#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/api_routes.h"
#include "gateway/http_types.h"
#include "gateway/role_cache.h"

namespace uptime::gateway {

struct SignInOptions {
  absl::Duration rpc_timeout = absl::Seconds(30);
  // Take the client's address from X-Forwarded-For, and HTTPS from
  // X-Forwarded-Proto (only behind a proxy that sets them).
  bool trust_forwarded_for = false;
  // The listener serves HTTPS: cookies get the Secure attribute.
  bool tls = false;
};

class SignIn {
 public:
  // Not owned; all must outlive this.
  SignIn(SignInOptions options, Clock* clock, const Stubs* stubs, RoleCache* roles);

  // POST /api/v1/auth:login. Ignores any credential the request carries.
  void Login(const HttpRequest& request, const Respond& respond) const;

  // POST /api/v1/auth:logout with `authorization` (the caller's header, or
  // "Bearer <cookie session>" already CSRF-checked); empty: nothing to end.
  void Logout(const HttpRequest& request, const std::string& authorization,
              const Respond& respond) const;

  // The address LoginRequest.client_address gets for `request`.
  std::string ClientAddress(const HttpRequest& request) const;
  // Whether cookies set for `request` get the Secure attribute.
  bool SecureCookies(const HttpRequest& request) const;

 private:
  const SignInOptions options_;
  Clock* const clock_;
  const Stubs* const stubs_;
  RoleCache* const roles_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_SIGN_IN_H_
