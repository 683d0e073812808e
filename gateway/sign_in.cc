#include "gateway/sign_in.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/ip/address.hpp"
#include "common/grpc_status.h"
#include "gateway/error_mapping.h"
#include "gateway/request_mapping.h"
#include "gateway/session_cookies.h"
#include "google/protobuf/empty.pb.h"

namespace uptime::gateway {

namespace {

HttpResponse NoStoreJson(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

bool IsIpAddress(absl::string_view s) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(s), ec);
  return !ec;
}

// What the coordinator hands out is "us_" + URL-safe base64; anything else
// would not survive as a cookie value and is refused rather than mangled.
bool IsCookieSafeSession(const std::string& token) {
  if (!absl::StartsWith(token, "us_") || token.size() > 256) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

}  // namespace

SignIn::SignIn(SignInOptions options, Clock* clock, const Stubs* stubs, RoleCache* roles)
    : options_(options), clock_(clock), stubs_(stubs), roles_(roles) {}

std::string SignIn::ClientAddress(const HttpRequest& request) const {
  if (options_.trust_forwarded_for && !request.forwarded_for.empty()) {
    // The first entry is the client as the outermost proxy saw it.
    absl::string_view first = request.forwarded_for;
    first = first.substr(0, first.find(','));
    first = absl::StripAsciiWhitespace(first);
    if (IsIpAddress(first)) return std::string(first);
  }
  return request.peer_address;
}

bool SignIn::SecureCookies(const HttpRequest& request) const {
  if (options_.tls || request.tls) return true;
  // Behind a TLS-terminating proxy the browser still speaks HTTPS.
  return options_.trust_forwarded_for &&
         absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(request.forwarded_proto), "https");
}

void SignIn::Login(const HttpRequest& request, const Respond& respond) const {
  // A cross-site form could sign the victim in as the attacker (login CSRF).
  if (!request.origin.empty() && !OriginMatchesHost(request.origin, request.host)) {
    return respond(ErrorResponse(absl::PermissionDeniedError(
        "the Origin header names another site than the Host header (cross-site sign-in "
        "refused)")));
  }
  if (!request.query.empty()) {
    // Query strings end up in proxies' access logs: no password there.
    return respond(ErrorResponse(absl::InvalidArgumentError(
        "query: auth:login takes its fields in the JSON body only")));
  }
  if (absl::StripAsciiWhitespace(request.body).empty()) {
    return respond(ErrorResponse(
        absl::InvalidArgumentError("body: a JSON object with username and password is required")));
  }
  if (!request.content_type.empty() &&
      !absl::StartsWithIgnoreCase(request.content_type, "application/json")) {
    HttpResponse r = ErrorResponse(
        absl::InvalidArgumentError("body: Content-Type must be application/json"));
    r.status = 415;
    return respond(std::move(r));
  }
  struct Call {
    grpc::ClientContext ctx;
    v1::LoginRequest request;
    v1::LoginResponse response;
  };
  auto call = std::make_shared<Call>();
  if (!ParseJsonBody(request.body, &call->request).ok()) {
    // The parser's message may quote the body, password included: say only
    // what is expected.
    return respond(ErrorResponse(absl::InvalidArgumentError(
        "body: expected a JSON object {\"username\", \"password\", \"totpCode\"}")));
  }
  if (!call->request.client_address().empty()) {
    return respond(ErrorResponse(absl::InvalidArgumentError(
        "clientAddress: set by the gateway from the connection, not by the caller")));
  }
  call->request.set_client_address(ClientAddress(request));
  const bool secure = SecureCookies(request);
  // No credential: Login takes none, and a stale cookie must not matter.
  call->ctx.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(options_.rpc_timeout));
  stubs_->auth->async()->Login(
      &call->ctx, &call->request, &call->response,
      [this, call, secure, respond](grpc::Status status) {
        // Drop the password from memory as soon as it is sent.
        call->request.clear_password();
        if (!status.ok()) {
          HttpResponse r = ErrorResponse(FromGrpcStatus(status));
          if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
            // A coordinator may also say so in trailing metadata.
            const auto& trailers = call->ctx.GetServerTrailingMetadata();
            auto it = trailers.find("retry-after");
            int64_t seconds = 0;
            if (it != trailers.end() &&
                absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()),
                                 &seconds) &&
                seconds > 0) {
              for (auto& [name, value] : r.headers) {
                if (name == "Retry-After") value = absl::StrCat(seconds);
              }
            }
          }
          return respond(std::move(r));
        }
        const std::string& token = call->response.session_token();
        if (!IsCookieSafeSession(token)) {
          return respond(ErrorResponse(
              absl::InternalError("the coordinator answered Login without a usable session")));
        }
        const v1::Caller& caller = call->response.caller();
        absl::Duration max_age = absl::InfiniteDuration();
        if (caller.has_expire_time()) {
          max_age = absl::FromUnixSeconds(caller.expire_time().seconds()) +
                    absl::Nanoseconds(caller.expire_time().nanos()) - clock_->Now();
        }
        const std::string csrf = CsrfTokenFor(token);
        HttpResponse r = NoStoreJson(
            absl::StrCat("{\"caller\":", ToJson(caller), ",\"csrfToken\":", JsonQuote(csrf), "}"));
        r.headers.emplace_back("Set-Cookie", SessionSetCookie(token, max_age, secure));
        r.headers.emplace_back("Set-Cookie", CsrfSetCookie(csrf, max_age, secure));
        respond(std::move(r));
      });
}

void SignIn::Logout(const HttpRequest& request, const std::string& authorization,
                    const Respond& respond) const {
  const bool secure = SecureCookies(request);
  auto cleared = [secure] {
    HttpResponse r = NoStoreJson("{}");
    r.headers.emplace_back("Set-Cookie", ClearSessionSetCookie(secure));
    r.headers.emplace_back("Set-Cookie", ClearCsrfSetCookie(secure));
    return r;
  };
  if (authorization.empty()) return respond(cleared());
  struct Call {
    grpc::ClientContext ctx;
    v1::LogoutRequest request;
    google::protobuf::Empty response;
  };
  auto call = std::make_shared<Call>();
  call->ctx.AddMetadata("authorization", authorization);
  call->ctx.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(options_.rpc_timeout));
  stubs_->auth->async()->Logout(
      &call->ctx, &call->request, &call->response,
      [this, call, authorization, cleared, respond](grpc::Status status) {
        // UNAUTHENTICATED: the session had already ended (expired, or
        // signed out elsewhere); the cookies go all the same.
        if (status.ok() || status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
          roles_->Erase(authorization);
          return respond(cleared());
        }
        // Otherwise the session may still be valid: keep the cookies so the
        // dashboard can retry rather than believe it signed out.
        respond(ErrorResponse(FromGrpcStatus(status)));
      });
}

}  // namespace uptime::gateway
