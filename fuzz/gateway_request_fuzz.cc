// Everything the gateway does with an HTTP request before it calls the
// coordinator: route matching on the raw (percent-encoded) path, query
// parsing, building the RPC's request message from query, JSON body and path
// parameters, and reading the session and CSRF cookies. Any request is
// answered with a clear error or a well-formed message; nothing crashes.
//
// Input: line 1 is "<method byte><target>", line 2 the Cookie header, line 3
// the Origin header, the rest the body.
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "fuzz/fuzz_input.h"
#include "gateway/api_request.h"
#include "gateway/api_routes.h"
#include "gateway/router.h"
#include "gateway/session_cookies.h"

namespace {

namespace http = boost::beast::http;
using uptime::gateway::ApiRoutes;

const uptime::gateway::Router& Routes() {
  static const uptime::gateway::Router* const router = [] {
    auto* r = new uptime::gateway::Router();
    for (size_t i = 0; i < ApiRoutes().size(); ++i) {
      if (!r->Add(ApiRoutes()[i].method, ApiRoutes()[i].pattern, static_cast<int>(i)).ok()) {
        __builtin_trap();
      }
    }
    return r;
  }();
  return *router;
}

constexpr http::verb kMethods[] = {http::verb::get, http::verb::post, http::verb::patch,
                                   http::verb::put, http::verb::delete_, http::verb::head,
                                   http::verb::options};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1024 * 1024) return 0;  // the server's body limit
  uptime::fuzz::FuzzInput in(data, size);
  const http::verb method = kMethods[in.Byte() % std::size(kMethods)];
  const absl::string_view target = in.Line();
  const absl::string_view cookie = in.Line();
  const absl::string_view origin = in.Line();
  const absl::string_view body = in.Rest();

  const size_t q = target.find('?');
  const absl::string_view path = target.substr(0, q);
  const absl::string_view query =
      q == absl::string_view::npos ? absl::string_view() : target.substr(q + 1);

  if (std::optional<std::string> session = uptime::gateway::SessionFromCookieHeader(cookie)) {
    const std::string csrf = uptime::gateway::CsrfTokenFor(*session);
    if (!uptime::gateway::CsrfTokenMatches(*session, csrf)) __builtin_trap();
    (void)uptime::gateway::CheckCookieRequest(method, *session, csrf, origin, "status.example");
  }
  (void)uptime::gateway::OriginMatchesHost(origin, "status.example:8080");

  const uptime::gateway::RouteMatch m = Routes().Match(method, path);
  if (m.result != uptime::gateway::RouteMatch::Result::kFound) return 0;
  absl::StatusOr<uptime::gateway::QueryParams> params = uptime::gateway::ParseQuery(query);
  if (!params.ok()) {
    if (params.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  const uptime::gateway::ApiRoute& route = ApiRoutes()[m.route];
  // The OpenAPI document is served from the table, not built from a request.
  if (route.request == nullptr) return 0;
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      uptime::gateway::BuildApiRequest(route, m.params, *params, body);
  if (!message.ok()) {
    // Bad input is the caller's: INVALID_ARGUMENT, never an internal error.
    if (message.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  // Path parameters always win over the query and the body.
  for (const auto& [name, value] : m.params) {
    if (name.find('.') != std::string::npos) continue;
    const google::protobuf::FieldDescriptor* f = (*message)->GetDescriptor()->FindFieldByName(name);
    if (f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        !f->is_repeated() && (*message)->GetReflection()->GetString(**message, f) != value) {
      __builtin_trap();
    }
  }
  (void)uptime::gateway::ToJson(**message);
  return 0;
}
