#include "gateway/gateway_handler.h"

#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/grpc_status.h"
#include "common/labels.h"
#include "gateway/api_request.h"
#include "gateway/error_mapping.h"
#include "gateway/openapi.h"
#include "gateway/request_mapping.h"
#include "gateway/session_cookies.h"
#include "gateway/sse.h"
#include "gateway/static_files.h"
#include "gateway/stream_auth_watcher.h"

namespace uptime::gateway {

namespace http = boost::beast::http;
namespace pb = google::protobuf;

namespace {

HttpResponse JsonResponse(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  // API answers depend on the caller's token: never cached by the way.
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse JsonResponse(std::shared_ptr<const std::string> body) {
  HttpResponse r = JsonResponse(std::string());
  r.shared_body = std::move(body);
  return r;
}

HttpResponse TextResponse(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// The event stream of one client, watched so that it ends when its
// credential stops working.
class HubSource : public SseSource {
 public:
  HubSource(EventHub* hub, StreamAuthWatcher* watcher, std::string authorization,
            LabelSelector selector, std::set<std::string> monitor_ids,
            std::optional<uint64_t> last_id, bool include_results)
      : hub_(hub),
        watcher_(watcher),
        authorization_(std::move(authorization)),
        selector_(std::move(selector)),
        monitor_ids_(std::move(monitor_ids)),
        last_id_(last_id),
        include_results_(include_results) {}

  void Attach(std::weak_ptr<SseSink> sink) override {
    subscription_ = hub_->Subscribe(sink, selector_, last_id_, monitor_ids_, include_results_);
    watch_ = watcher_->Add(authorization_, std::move(sink));
  }
  void Detach() override {
    if (subscription_ != 0) hub_->Unsubscribe(subscription_);
    if (watch_ != 0) watcher_->Remove(watch_);
    subscription_ = 0;
    watch_ = 0;
  }

 private:
  EventHub* const hub_;
  StreamAuthWatcher* const watcher_;
  const std::string authorization_;
  const LabelSelector selector_;
  const std::set<std::string> monitor_ids_;
  const std::optional<uint64_t> last_id_;
  const bool include_results_;
  uint64_t subscription_ = 0;  // the session's io thread only
  uint64_t watch_ = 0;         // likewise
};

// Whether a caller with `role` (or the error looking it up) may read.
absl::Status ReadDecision(const absl::StatusOr<v1::Role>& role) {
  if (!role.ok()) return role.status();
  if (*role < v1::ROLE_VIEWER) return absl::PermissionDeniedError("this token may not read");
  return absl::OkStatus();
}

// A watch of more ids than this should use a label selector.
constexpr int kMaxWatchedMonitorIds = 1000;

// Header values gRPC would refuse as metadata (it requires printable ASCII).
bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayHandler>> GatewayHandler::Create(GatewayHandlerDeps deps) {
  std::unique_ptr<GatewayHandler> handler(new GatewayHandler(std::move(deps)));
  const std::vector<ApiRoute>& routes = ApiRoutes();
  for (size_t i = 0; i < routes.size(); ++i) {
    absl::Status s = handler->router_.Add(routes[i].method, routes[i].pattern, static_cast<int>(i));
    if (!s.ok()) return s;
  }
  handler->openapi_ = OpenApiJson(routes, Version());
  GatewayHandler* raw = handler.get();
  // Asks the coordinator each time (refreshing the cache on the way), so a
  // stream ends within one period of a revocation.
  handler->stream_auth_ = std::make_unique<StreamAuthWatcher>(
      raw->deps_.clock, raw->deps_.stream_recheck_interval,
      [raw](const std::string& authorization, std::function<void(absl::Status)> done) {
        raw->CheckRead(authorization, std::move(done), /*fresh=*/true);
      });
  return handler;
}

GatewayHandler::GatewayHandler(GatewayHandlerDeps deps)
    : deps_(std::move(deps)),
      sign_in_({.rpc_timeout = deps_.rpc_timeout,
                .trust_forwarded_for = deps_.trust_forwarded_for,
                .tls = deps_.tls},
               deps_.clock, deps_.stubs, deps_.roles) {}

void GatewayHandler::Handle(HttpRequest request, Respond respond) {
  const absl::Time start = deps_.clock->Now();
  // Valid until `request` is moved on, which is the last thing done.
  const std::string& path = request.path;
  // The metrics label: the route's operation for API calls, a fixed name
  // otherwise (never the raw path, whose values are unbounded).
  auto label = std::make_shared<std::string>("other");
  Respond measured = [this, start, label, respond = std::move(respond)](HttpResponse r) {
    deps_.metrics->Record(*label, r.status, deps_.clock->Now() - start);
    respond(std::move(r));
  };
  if (deps_.public_routes != nullptr && deps_.public_routes->Matches(path)) {
    // Before the API: /api/v1/public/ takes no token and never proxies.
    return deps_.public_routes->Handle(request, measured, label.get());
  }
  if (absl::StartsWith(path, "/api/")) {
    RouteMatch m = router_.Match(request.method, path);
    if (m.result == RouteMatch::Result::kFound) *label = ApiRoutes()[m.route].operation_id;
    return HandleApi(std::move(request), std::move(m), std::move(measured));
  }
  const bool get = request.method == http::verb::get || request.method == http::verb::head;
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    *label = path.substr(1);
    if (!get) return measured(TextResponse(405, "only GET\n"));
    if (path == "/healthz") return measured(TextResponse(200, "ok\n"));
    if (path == "/readyz") {
      const bool ready = !deps_.ready || deps_.ready();
      return measured(TextResponse(ready ? 200 : 503, ready ? "ready\n" : "not ready\n"));
    }
    HttpResponse r = TextResponse(200, deps_.metrics->registry()->Render());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return measured(std::move(r));
  }
  if (absl::StartsWith(path, "/status/") || absl::StartsWith(path, "/badge/")) {
    // No status pages configured in (handler tests): never the dashboard.
    return measured(ErrorResponse(absl::NotFoundError("not found")));
  }
  *label = "static";
  if (!get) return measured(ErrorResponse(absl::NotFoundError("no such resource")));
  ServeStatic(request, measured);
}

void GatewayHandler::HandleApi(HttpRequest request, RouteMatch m, Respond respond) {
  if (m.result == RouteMatch::Result::kNotFound) {
    return respond(ErrorResponse(
        absl::NotFoundError(absl::StrCat("no API route ", request.path.substr(0, 200)))));
  }
  if (m.result == RouteMatch::Result::kMethodNotAllowed) {
    HttpResponse r = ErrorResponse(absl::Status(absl::StatusCode::kUnimplemented, "method not allowed"));
    r.status = 405;
    r.headers.emplace_back("Allow", m.allow);
    return respond(std::move(r));
  }
  const ApiRoute& route = ApiRoutes()[m.route];
  if (route.kind == RouteKind::kOpenApi) {
    HttpResponse r;
    r.body = openapi_;
    r.headers.emplace_back("Cache-Control", "no-cache");
    return respond(std::move(r));
  }
  if (route.kind == RouteKind::kLogin) return sign_in_.Login(request, respond);
  if (!request.authorization.empty() && !IsPrintableAscii(request.authorization)) {
    return respond(ErrorResponse(
        absl::UnauthenticatedError("authorization: not a valid bearer token")));
  }
  if (request.authorization.empty()) {
    // The dashboard's cookie stands in for the header. A bearer header is
    // never sent by a browser on its own, so only cookies need the CSRF
    // check.
    if (std::optional<std::string> session = SessionFromCookieHeader(request.cookie)) {
      if (absl::Status s = CheckCookieRequest(request.method, *session, request.csrf_token,
                                              request.origin, request.host);
          !s.ok()) {
        return respond(ErrorResponse(s));
      }
      request.authorization = absl::StrCat("Bearer ", *session);
    }
  }
  if (route.kind == RouteKind::kLogout) {
    return sign_in_.Logout(request, request.authorization, respond);
  }
  // Status lists and summaries come again and again with the same query:
  // their requests are parsed once (parsing costs more than the answer).
  const bool memo = (route.kind == RouteKind::kStatusList ||
                     route.kind == RouteKind::kStatusSummary) &&
                    !HasBody(request.body);
  std::string memo_key;
  if (memo) {
    memo_key = absl::StrCat(m.route, "?", request.query);
    std::shared_ptr<const pb::Message> parsed;
    {
      absl::MutexLock lock(&parsed_mu_);
      auto it = parsed_.find(memo_key);
      if (it != parsed_.end()) parsed = it->second;  // only ever read: shared, not copied
    }
    if (parsed != nullptr) {
      return ServeFromMemory(route, request, std::move(parsed), std::move(respond));
    }
  }
  // Build the request message: query, then body, then path (the path wins).
  absl::StatusOr<QueryParams> params = ParseQuery(request.query);
  if (!params.ok()) return respond(ErrorResponse(params.status()));
  if (route.kind == RouteKind::kEvents) {
    std::string query_last;
    for (auto it = params->begin(); it != params->end();) {
      if (it->first == "last_event_id" || it->first == "lastEventId") {
        query_last = it->second;
        it = params->erase(it);
      } else {
        ++it;
      }
    }
    // The Last-Event-ID header (set by EventSource on reconnect) wins.
    if (request.last_event_id.empty()) request.last_event_id = std::move(query_last);
  }
  if (HasBody(request.body) && !route.body.empty()) {
    absl::string_view type = request.content_type;
    if (!type.empty() && !absl::StartsWithIgnoreCase(type, "application/json")) {
      HttpResponse r = ErrorResponse(
          absl::InvalidArgumentError("body: Content-Type must be application/json"));
      r.status = 415;
      return respond(std::move(r));
    }
  }
  absl::StatusOr<std::unique_ptr<pb::Message>> message =
      BuildApiRequest(route, m.params, *params, request.body);
  if (!message.ok()) return respond(ErrorResponse(message.status()));
  if (memo) {
    std::shared_ptr<pb::Message> copy((*message)->New());
    copy->CopyFrom(**message);
    absl::MutexLock lock(&parsed_mu_);
    // Bounded: queries are caller-chosen.
    if (parsed_.size() >= kMaxParsedRequests) parsed_.clear();
    parsed_.emplace(std::move(memo_key), std::move(copy));
  }
  ServeRoute(route, request, *std::move(message), std::move(respond));
}

void GatewayHandler::ServeRoute(const ApiRoute& route, const HttpRequest& request,
                                std::unique_ptr<pb::Message> message, Respond respond) {
  if (route.kind == RouteKind::kProxy) {
    const bool write = route.method != http::verb::get;
    route.call(*deps_.stubs, std::move(message), request.authorization,
               sign_in_.ClientAddress(request), deps_.rpc_timeout,
               [this, respond = std::move(respond), write](const grpc::Status& status,
                                                          std::string json) {
                 if (!status.ok()) return respond(ErrorResponse(FromGrpcStatus(status)));
                 if (write && deps_.after_write) deps_.after_write();
                 respond(JsonResponse(std::move(json)));
               });
    return;
  }
  ServeFromMemory(route, request, std::move(message), std::move(respond));
}

void GatewayHandler::ServeFromMemory(const ApiRoute& route, const HttpRequest& request,
                                     std::shared_ptr<const pb::Message> shared, Respond respond) {
  // Only an event stream needs these once authorized (no copies otherwise).
  const bool events = route.kind == RouteKind::kEvents;
  auto serve = [this, &route, shared = std::move(shared), respond = std::move(respond),
                last_event_id = events ? request.last_event_id : std::string(),
                authorization = events ? request.authorization : std::string(),
                gzip = route.kind == RouteKind::kStatusList &&
                       AcceptsGzip(request.accept_encoding)](absl::Status allowed) {
    if (!allowed.ok()) return respond(ErrorResponse(allowed));
    if (route.kind == RouteKind::kEvents) {
      const auto& req = static_cast<const v1::WatchEventsRequest&>(*shared);
      if (req.include_results() && !deps_.results_offered) {
        return respond(ErrorResponse(absl::InvalidArgumentError(
            "include_results: this gateway runs with --results-stream=off; use WatchEvents "
            "over gRPC")));
      }
      if (req.monitor_ids_size() > kMaxWatchedMonitorIds) {
        return respond(ErrorResponse(absl::InvalidArgumentError(absl::StrCat(
            "monitor_ids: at most ", kMaxWatchedMonitorIds, " ids, got ", req.monitor_ids_size()))));
      }
      std::set<std::string> monitor_ids;
      for (int i = 0; i < req.monitor_ids_size(); ++i) {
        if (req.monitor_ids(i).empty()) {
          return respond(ErrorResponse(absl::InvalidArgumentError(
              absl::StrCat("monitor_ids[", i, "]: must not be empty"))));
        }
        monitor_ids.insert(req.monitor_ids(i));
      }
      absl::StatusOr<LabelSelector> selector =
          LabelSelector::Parse("label_selector", req.label_selector());
      if (!selector.ok()) return respond(ErrorResponse(selector.status()));
      std::optional<uint64_t> last = ParseLastEventId(last_event_id, "");
      if (!last_event_id.empty() && !last.has_value()) {
        return respond(ErrorResponse(
            absl::InvalidArgumentError("last_event_id: not an event id")));
      }
      HttpResponse r;
      r.sse = std::make_shared<HubSource>(deps_.hub, stream_auth_.get(), authorization,
                                          *std::move(selector), std::move(monitor_ids), last,
                                          req.include_results());
      return respond(std::move(r));
    }
    if (!deps_.snapshot->loaded()) {
      return respond(ErrorResponse(
          absl::UnavailableError("the gateway has not loaded the status snapshot yet")));
    }
    if (route.kind == RouteKind::kStatusGet) {
      const auto& req = static_cast<const v1::GetStatusRequest&>(*shared);
      std::optional<std::string> json = deps_.snapshot->GetJson(req.monitor_id());
      if (!json.has_value()) {
        return respond(ErrorResponse(
            absl::NotFoundError(absl::StrCat("monitor ", req.monitor_id().substr(0, 200),
                                             " not found"))));
      }
      return respond(JsonResponse(*std::move(json)));
    }
    const auto& req = static_cast<const v1::ListStatusesRequest&>(*shared);
    absl::StatusOr<LabelSelector> selector =
        LabelSelector::Parse("label_selector", req.label_selector());
    if (!selector.ok()) return respond(ErrorResponse(selector.status()));
    if (!req.label_selector().empty() && !deps_.snapshot->labels_known()) {
      // Loaded from Redis without labels for every monitor: an empty
      // answer would be wrong, not just stale.
      return respond(ErrorResponse(absl::UnavailableError(
          "label_selector: monitor labels are not loaded yet (the coordinator is unreachable); "
          "retry soon")));
    }
    if (route.kind == RouteKind::kStatusSummary) {
      return respond(
          JsonResponse(deps_.snapshot->SummaryJsonShared(*selector, req.label_selector())));
    }
    absl::StatusOr<std::shared_ptr<const std::string>> json =
        deps_.snapshot->ListJsonShared(*selector, req.label_selector(), req.state(),
                                       req.page_size(), req.page_token());
    if (!json.ok()) return respond(ErrorResponse(json.status()));
    respond(LargeJsonResponse(*std::move(json), gzip));
  };
  // A known token is decided here, without wrapping `serve` for later.
  if (std::optional<absl::Status> allowed = CachedReadDecision(request.authorization)) {
    return serve(*std::move(allowed));
  }
  CheckRead(request.authorization, std::move(serve));
}

HttpResponse GatewayHandler::LargeJsonResponse(std::shared_ptr<const std::string> body, bool gzip) {
  // Below about one packet, compressing saves nothing worth the header.
  constexpr size_t kGzipMinBytes = 1400;
  if (body->size() < kGzipMinBytes) return JsonResponse(std::move(body));
  std::shared_ptr<const std::string> gz = gzip ? gzip_.GzipFor(body) : nullptr;
  const bool encoded = gz != nullptr;
  HttpResponse r = JsonResponse(encoded ? std::move(gz) : std::move(body));
  if (encoded) r.headers.emplace_back("Content-Encoding", "gzip");
  // Caches must not hand one encoding to a client that asked for the other.
  r.headers.emplace_back("Vary", "Accept-Encoding");
  return r;
}

std::optional<absl::Status> GatewayHandler::CachedReadDecision(
    const std::string& authorization) const {
  if (authorization.empty()) {
    return absl::UnauthenticatedError("authorization: a bearer token is required");
  }
  if (std::optional<absl::StatusOr<v1::Role>> cached = deps_.roles->Lookup(authorization)) {
    return ReadDecision(*cached);
  }
  return std::nullopt;
}

void GatewayHandler::CheckRead(const std::string& authorization,
                               std::function<void(absl::Status)> then, bool fresh) {
  if (authorization.empty()) {
    return then(absl::UnauthenticatedError("authorization: a bearer token is required"));
  }
  if (!fresh) {
    if (std::optional<absl::Status> decided = CachedReadDecision(authorization)) {
      return then(*std::move(decided));
    }
  }
  struct Call {
    grpc::ClientContext ctx;
    v1::GetCallerRequest request;
    v1::Caller response;
  };
  auto call = std::make_shared<Call>();
  call->ctx.AddMetadata("authorization", authorization);
  call->ctx.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(deps_.rpc_timeout));
  deps_.stubs->auth->async()->GetCaller(
      &call->ctx, &call->request, &call->response,
      [this, call, authorization, then = std::move(then)](grpc::Status status) {
        absl::StatusOr<v1::Role> role = call->response.role();
        if (!status.ok()) role = FromGrpcStatus(status);
        const auto code = role.status().code();
        if (role.ok() || code == absl::StatusCode::kUnauthenticated ||
            code == absl::StatusCode::kPermissionDenied) {
          deps_.roles->Put(authorization, role);
        }
        then(ReadDecision(role));
      });
}

void GatewayHandler::ServeStatic(const HttpRequest& request, const Respond& respond) {
  std::optional<HttpResponse> r = ServeAsset(request.path, request.if_none_match, request.accept_encoding);
  if (!r.has_value()) {
    return respond(ErrorResponse(absl::NotFoundError("no such resource")));
  }
  respond(*std::move(r));
}

}  // namespace uptime::gateway
