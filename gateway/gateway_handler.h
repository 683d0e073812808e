// GatewayHandler: answers every HTTP request the server reads. Routes API
// calls through the table in api_routes.h (proxying to the coordinator with
// the caller's token, or serving statuses and events from memory), serves
// /healthz, /readyz, /metrics, and the web app's assets when they are built
// in.
//
// Reads from memory are authorized with the caller's role, cached in a
// RoleCache (AuthService.GetCaller on a miss), so a status read makes no
// network round trip once the token is known.
//
// The credential is the Authorization header or, without one, the session
// in the uptime_session cookie (the dashboard, signed in through
// auth:login); cookie-authenticated writes must carry the CSRF token
// (session_cookies.h). Both are used alike everywhere under /api/v1.
//
// Large answers from memory (status lists) go out gzip'd to clients that
// send Accept-Encoding: gzip, from a copy made once per snapshot version.
//
// Thread-safety: thread-safe; Handle() never blocks (coordinator calls use
// gRPC's callback API and answer from gRPC's threads).
#ifndef UPTIME_GATEWAY_GATEWAY_HANDLER_H_
#define UPTIME_GATEWAY_GATEWAY_HANDLER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/api_routes.h"
#include "gateway/error_mapping.h"
#include "gateway/event_hub.h"
#include "gateway/gateway_metrics.h"
#include "gateway/gzip_body_cache.h"
#include "gateway/http_types.h"
#include "gateway/public_routes.h"
#include "gateway/role_cache.h"
#include "gateway/sign_in.h"
#include "gateway/router.h"
#include "gateway/status_snapshot.h"
#include "gateway/stream_auth_watcher.h"

namespace uptime::gateway {

struct GatewayHandlerDeps {
  Clock* clock = nullptr;
  const Stubs* stubs = nullptr;
  StatusSnapshot* snapshot = nullptr;
  EventHub* hub = nullptr;
  RoleCache* roles = nullptr;
  GatewayMetrics* metrics = nullptr;
  // The anonymous status-page surface; null: /status/ and /badge/ are 404s.
  PublicRoutes* public_routes = nullptr;
  absl::Duration rpc_timeout = absl::Seconds(30);
  // Whether /api/v1/events accepts include_results=true (the Upstream
  // streams results); false: 400 naming the flag.
  bool results_offered = true;
  // /readyz answers 200 while this is true.
  std::function<bool()> ready;
  // Called after a write (POST, PATCH, DELETE) the coordinator accepted.
  std::function<void()> after_write;
  // How often the credentials of open event streams are checked again: a
  // revoked one's streams end within about this long.
  absl::Duration stream_recheck_interval = absl::Milliseconds(500);
  // Sign-in: see SignInOptions.
  bool trust_forwarded_for = false;
  bool tls = false;
};

class GatewayHandler : public HttpHandler {
 public:
  // INVALID_ARGUMENT if the route table is inconsistent (a bug).
  static absl::StatusOr<std::unique_ptr<GatewayHandler>> Create(GatewayHandlerDeps deps);

  void Handle(HttpRequest request, Respond respond) override;

 private:
  explicit GatewayHandler(GatewayHandlerDeps deps);

  // `m`: the router's answer for the request.
  void HandleApi(HttpRequest request, RouteMatch m, Respond respond);
  void ServeRoute(const ApiRoute& route, const HttpRequest& request,
                  std::unique_ptr<google::protobuf::Message> message, Respond respond);
  // The routes answered from memory (statuses, events); `message` is only
  // read, so a parsed request can be shared.
  void ServeFromMemory(const ApiRoute& route, const HttpRequest& request,
                       std::shared_ptr<const google::protobuf::Message> message, Respond respond);
  // Whether the caller may read, when that is known without the network
  // (no token, or its role cached); nullopt otherwise.
  std::optional<absl::Status> CachedReadDecision(const std::string& authorization) const;
  // A large shared answer (a status list): its gzip copy, made once per
  // body, when the client takes gzip; small ones stay plain.
  HttpResponse LargeJsonResponse(std::shared_ptr<const std::string> body, bool gzip);
  // Runs `then` with OK when the caller may read, or with the error. With
  // `fresh`, asks the coordinator even when the RoleCache has the answer.
  void CheckRead(const std::string& authorization, std::function<void(absl::Status)> then,
                 bool fresh = false);
  void ServeStatic(const HttpRequest& request, const Respond& respond);

  const GatewayHandlerDeps deps_;
  const SignIn sign_in_;
  Router router_;
  std::string openapi_;
  GzipBodyCache gzip_;
  // Requests of status lists and summaries as parsed, by route and query
  // (see HandleApi); never modified once in.
  static constexpr size_t kMaxParsedRequests = 64;
  absl::Mutex parsed_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const google::protobuf::Message>> parsed_
      ABSL_GUARDED_BY(parsed_mu_);
  // Last: destroyed first, so no re-check runs into a half-destroyed handler.
  std::unique_ptr<StreamAuthWatcher> stream_auth_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_GATEWAY_HANDLER_H_
