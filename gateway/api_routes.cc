#include "gateway/api_routes.h"

#include <chrono>

#include "gateway/request_mapping.h"
#include "google/protobuf/empty.pb.h"

namespace uptime::gateway {

namespace http = boost::beast::http;
namespace pb = google::protobuf;

Stubs::Stubs(const std::shared_ptr<grpc::ChannelInterface>& channel)
    : monitors(v1::MonitorService::NewStub(channel)),
      statuses(v1::StatusService::NewStub(channel)),
      channels(v1::NotificationService::NewStub(channel)),
      maintenance(v1::MaintenanceService::NewStub(channel)),
      status_pages(v1::StatusPageService::NewStub(channel)),
      cluster(v1::ClusterService::NewStub(channel)),
      auth(v1::AuthService::NewStub(channel)),
      users(v1::UserService::NewStub(channel)),
      audit(v1::AuditService::NewStub(channel)) {}

namespace {

// Adapts one generated async method to UnaryCall. The call state (context,
// request, response) lives until gRPC has run and released the callback.
template <typename Req, typename Resp, typename Start>
UnaryCall Unary(Start start) {
  return [start](const Stubs& stubs, std::unique_ptr<pb::Message> request,
                 const std::string& authorization, const std::string& client_address,
                 absl::Duration timeout, CallDone done) {
    struct Call {
      grpc::ClientContext ctx;
      std::unique_ptr<pb::Message> request;
      Resp response;
    };
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    if (!authorization.empty()) call->ctx.AddMetadata("authorization", authorization);
    if (!client_address.empty()) call->ctx.AddMetadata("x-uptime-client-address", client_address);
    // Wall-clock glue for gRPC's deadline, not logic.
    call->ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
    start(stubs, &call->ctx, static_cast<const Req*>(call->request.get()), &call->response,
          [call, done = std::move(done)](grpc::Status status) {
            done(status, status.ok() ? ToJson(call->response) : std::string());
          });
  };
}

#define UPTIME_UNARY(stub, Method, Req, Resp)                                                \
  Unary<Req, Resp>([](const Stubs& s, grpc::ClientContext* ctx, const Req* req, Resp* resp, \
                      std::function<void(grpc::Status)> cb) {                                \
    s.stub->async()->Method(ctx, req, resp, std::move(cb));                                  \
  })

std::vector<ApiRoute> BuildRoutes() {
  using http::verb;
  using v1::Monitor;
  const auto* empty = pb::Empty::descriptor();
  std::vector<ApiRoute> r;
  auto proxy = [&r](verb method, std::string pattern, std::string op, std::string tag,
                    std::string summary, const pb::Descriptor* req, const pb::Descriptor* resp,
                    std::string body, UnaryCall call) {
    r.push_back(ApiRoute{method, std::move(pattern), std::move(op), std::move(tag),
                         std::move(summary), req, resp, std::move(body), RouteKind::kProxy,
                         std::move(call)});
  };
  auto local = [&r](verb method, std::string pattern, std::string op, std::string tag,
                    std::string summary, const pb::Descriptor* req, const pb::Descriptor* resp,
                    RouteKind kind, std::string body = "") {
    r.push_back(ApiRoute{method, std::move(pattern), std::move(op), std::move(tag),
                         std::move(summary), req, resp, std::move(body), kind, nullptr});
  };

  // MonitorService
  proxy(verb::get, "/api/v1/monitors", "ListMonitors", "MonitorService",
        "List monitors (label_selector, page_size, page_token)",
        v1::ListMonitorsRequest::descriptor(), v1::ListMonitorsResponse::descriptor(), "",
        UPTIME_UNARY(monitors, ListMonitors, v1::ListMonitorsRequest, v1::ListMonitorsResponse));
  proxy(verb::post, "/api/v1/monitors", "CreateMonitor", "MonitorService",
        "Create a monitor (body: Monitor)", v1::CreateMonitorRequest::descriptor(),
        Monitor::descriptor(), "monitor",
        UPTIME_UNARY(monitors, CreateMonitor, v1::CreateMonitorRequest, Monitor));
  proxy(verb::get, "/api/v1/monitors/{id}", "GetMonitor", "MonitorService", "Get a monitor",
        v1::GetMonitorRequest::descriptor(), Monitor::descriptor(), "",
        UPTIME_UNARY(monitors, GetMonitor, v1::GetMonitorRequest, Monitor));
  proxy(verb::patch, "/api/v1/monitors/{monitor.id}", "UpdateMonitor", "MonitorService",
        "Update a monitor (body: Monitor; update_mask: fields to change, all when empty)",
        v1::UpdateMonitorRequest::descriptor(), Monitor::descriptor(), "monitor",
        UPTIME_UNARY(monitors, UpdateMonitor, v1::UpdateMonitorRequest, Monitor));
  proxy(verb::delete_, "/api/v1/monitors/{id}", "DeleteMonitor", "MonitorService",
        "Delete a monitor", v1::DeleteMonitorRequest::descriptor(), empty, "",
        UPTIME_UNARY(monitors, DeleteMonitor, v1::DeleteMonitorRequest, pb::Empty));
  proxy(verb::post, "/api/v1/monitors/{id}:pause", "PauseMonitor", "MonitorService",
        "Pause a monitor", v1::PauseMonitorRequest::descriptor(), Monitor::descriptor(), "*",
        UPTIME_UNARY(monitors, PauseMonitor, v1::PauseMonitorRequest, Monitor));
  proxy(verb::post, "/api/v1/monitors/{id}:resume", "ResumeMonitor", "MonitorService",
        "Resume a monitor", v1::ResumeMonitorRequest::descriptor(), Monitor::descriptor(), "*",
        UPTIME_UNARY(monitors, ResumeMonitor, v1::ResumeMonitorRequest, Monitor));

  // StatusService: statuses come from the gateway's snapshot.
  local(verb::get, "/api/v1/statuses", "ListStatuses", "StatusService",
        "List live statuses (from the gateway's memory)", v1::ListStatusesRequest::descriptor(),
        v1::ListStatusesResponse::descriptor(), RouteKind::kStatusList);
  local(verb::get, "/api/v1/statuses:summary", "SummarizeStatuses", "StatusService",
        "Monitor counts by state (label_selector honoured; paging fields ignored)",
        v1::ListStatusesRequest::descriptor(), nullptr, RouteKind::kStatusSummary);
  local(verb::get, "/api/v1/statuses/{monitor_id}", "GetStatus", "StatusService",
        "One monitor's live status (from the gateway's memory)",
        v1::GetStatusRequest::descriptor(), v1::MonitorStatus::descriptor(),
        RouteKind::kStatusGet);
  proxy(verb::get, "/api/v1/monitors/{monitor_id}/results", "ListResults", "StatusService",
        "Recent raw results", v1::ListResultsRequest::descriptor(),
        v1::ListResultsResponse::descriptor(), "",
        UPTIME_UNARY(statuses, ListResults, v1::ListResultsRequest, v1::ListResultsResponse));
  proxy(verb::get, "/api/v1/monitors/{monitor_id}/uptime", "GetUptime", "StatusService",
        "Uptime and latency over 24h/7d/30d/90d and daily bars",
        v1::GetUptimeRequest::descriptor(), v1::GetUptimeResponse::descriptor(), "",
        UPTIME_UNARY(statuses, GetUptime, v1::GetUptimeRequest, v1::GetUptimeResponse));
  proxy(verb::get, "/api/v1/uptimes", "ListUptime", "StatusService",
        "24h uptime and mean latency of many monitors, from the coordinator's summary "
        "(label_selector, window, page_size, page_token)",
        v1::ListUptimeRequest::descriptor(), v1::ListUptimeResponse::descriptor(), "",
        UPTIME_UNARY(statuses, ListUptime, v1::ListUptimeRequest, v1::ListUptimeResponse));
  proxy(verb::get, "/api/v1/uptimes:batchGet", "BatchGetUptime", "StatusService",
        "GetUptime of 1..1000 monitors in one call, in request order (monitor_ids, repeated); "
        "NOT_FOUND if any is unknown",
        v1::BatchGetUptimeRequest::descriptor(), v1::BatchGetUptimeResponse::descriptor(), "",
        UPTIME_UNARY(statuses, BatchGetUptime, v1::BatchGetUptimeRequest,
                     v1::BatchGetUptimeResponse));
  proxy(verb::get, "/api/v1/incidents", "ListIncidents", "StatusService", "List incidents",
        v1::ListIncidentsRequest::descriptor(), v1::ListIncidentsResponse::descriptor(), "",
        UPTIME_UNARY(statuses, ListIncidents, v1::ListIncidentsRequest,
                     v1::ListIncidentsResponse));
  local(verb::get, "/api/v1/events", "WatchEvents", "StatusService",
        "Server-sent events: state changes (label_selector; resume with Last-Event-ID or "
        "last_event_id)",
        v1::WatchEventsRequest::descriptor(), v1::Event::descriptor(), RouteKind::kEvents);

  // NotificationService
  proxy(verb::get, "/api/v1/channels", "ListChannels", "NotificationService",
        "List notification channels", v1::ListChannelsRequest::descriptor(),
        v1::ListChannelsResponse::descriptor(), "",
        UPTIME_UNARY(channels, ListChannels, v1::ListChannelsRequest, v1::ListChannelsResponse));
  proxy(verb::post, "/api/v1/channels", "CreateChannel", "NotificationService",
        "Create a channel (body: Channel)", v1::CreateChannelRequest::descriptor(),
        v1::Channel::descriptor(), "channel",
        UPTIME_UNARY(channels, CreateChannel, v1::CreateChannelRequest, v1::Channel));
  proxy(verb::get, "/api/v1/channels/{id}", "GetChannel", "NotificationService", "Get a channel",
        v1::GetChannelRequest::descriptor(), v1::Channel::descriptor(), "",
        UPTIME_UNARY(channels, GetChannel, v1::GetChannelRequest, v1::Channel));
  proxy(verb::patch, "/api/v1/channels/{channel.id}", "UpdateChannel", "NotificationService",
        "Update a channel (body: Channel; update_mask)", v1::UpdateChannelRequest::descriptor(),
        v1::Channel::descriptor(), "channel",
        UPTIME_UNARY(channels, UpdateChannel, v1::UpdateChannelRequest, v1::Channel));
  proxy(verb::delete_, "/api/v1/channels/{id}", "DeleteChannel", "NotificationService",
        "Delete a channel", v1::DeleteChannelRequest::descriptor(), empty, "",
        UPTIME_UNARY(channels, DeleteChannel, v1::DeleteChannelRequest, pb::Empty));
  proxy(verb::post, "/api/v1/channels/{id}:test", "TestChannel", "NotificationService",
        "Send a test message now", v1::TestChannelRequest::descriptor(),
        v1::TestChannelResponse::descriptor(), "*",
        UPTIME_UNARY(channels, TestChannel, v1::TestChannelRequest, v1::TestChannelResponse));

  // MaintenanceService
  proxy(verb::get, "/api/v1/maintenanceWindows", "ListMaintenanceWindows", "MaintenanceService",
        "List maintenance windows", v1::ListMaintenanceWindowsRequest::descriptor(),
        v1::ListMaintenanceWindowsResponse::descriptor(), "",
        UPTIME_UNARY(maintenance, ListMaintenanceWindows, v1::ListMaintenanceWindowsRequest,
                     v1::ListMaintenanceWindowsResponse));
  proxy(verb::post, "/api/v1/maintenanceWindows", "CreateMaintenanceWindow", "MaintenanceService",
        "Create a maintenance window (body: MaintenanceWindow)",
        v1::CreateMaintenanceWindowRequest::descriptor(), v1::MaintenanceWindow::descriptor(),
        "window",
        UPTIME_UNARY(maintenance, CreateMaintenanceWindow, v1::CreateMaintenanceWindowRequest,
                     v1::MaintenanceWindow));
  proxy(verb::get, "/api/v1/maintenanceWindows/{id}", "GetMaintenanceWindow",
        "MaintenanceService", "Get a maintenance window",
        v1::GetMaintenanceWindowRequest::descriptor(), v1::MaintenanceWindow::descriptor(), "",
        UPTIME_UNARY(maintenance, GetMaintenanceWindow, v1::GetMaintenanceWindowRequest,
                     v1::MaintenanceWindow));
  proxy(verb::patch, "/api/v1/maintenanceWindows/{window.id}", "UpdateMaintenanceWindow",
        "MaintenanceService", "Update a maintenance window (body: MaintenanceWindow; update_mask)",
        v1::UpdateMaintenanceWindowRequest::descriptor(), v1::MaintenanceWindow::descriptor(),
        "window",
        UPTIME_UNARY(maintenance, UpdateMaintenanceWindow, v1::UpdateMaintenanceWindowRequest,
                     v1::MaintenanceWindow));
  proxy(verb::delete_, "/api/v1/maintenanceWindows/{id}", "DeleteMaintenanceWindow",
        "MaintenanceService", "Delete a maintenance window",
        v1::DeleteMaintenanceWindowRequest::descriptor(), empty, "",
        UPTIME_UNARY(maintenance, DeleteMaintenanceWindow, v1::DeleteMaintenanceWindowRequest,
                     pb::Empty));

  // StatusPageService (the pages themselves are served without a token
  // under /status/{slug}; see docs/status-pages.md)
  proxy(verb::get, "/api/v1/status-pages", "ListStatusPages", "StatusPageService",
        "List status pages, ordered by slug", v1::ListStatusPagesRequest::descriptor(),
        v1::ListStatusPagesResponse::descriptor(), "",
        UPTIME_UNARY(status_pages, ListStatusPages, v1::ListStatusPagesRequest,
                     v1::ListStatusPagesResponse));
  proxy(verb::post, "/api/v1/status-pages", "CreateStatusPage", "StatusPageService",
        "Create a status page (body: StatusPage); it is public at once",
        v1::CreateStatusPageRequest::descriptor(), v1::StatusPage::descriptor(), "status_page",
        UPTIME_UNARY(status_pages, CreateStatusPage, v1::CreateStatusPageRequest,
                     v1::StatusPage));
  proxy(verb::get, "/api/v1/status-pages:lookup", "LookupStatusPage", "StatusPageService",
        "Get a status page by slug (?slug=)", v1::GetStatusPageRequest::descriptor(),
        v1::StatusPage::descriptor(), "",
        UPTIME_UNARY(status_pages, GetStatusPage, v1::GetStatusPageRequest, v1::StatusPage));
  proxy(verb::get, "/api/v1/status-pages/{id}", "GetStatusPage", "StatusPageService",
        "Get a status page", v1::GetStatusPageRequest::descriptor(),
        v1::StatusPage::descriptor(), "",
        UPTIME_UNARY(status_pages, GetStatusPage, v1::GetStatusPageRequest, v1::StatusPage));
  proxy(verb::patch, "/api/v1/status-pages/{status_page.id}", "UpdateStatusPage",
        "StatusPageService", "Update a status page (body: StatusPage; update_mask)",
        v1::UpdateStatusPageRequest::descriptor(), v1::StatusPage::descriptor(), "status_page",
        UPTIME_UNARY(status_pages, UpdateStatusPage, v1::UpdateStatusPageRequest,
                     v1::StatusPage));
  proxy(verb::delete_, "/api/v1/status-pages/{id}", "DeleteStatusPage", "StatusPageService",
        "Delete a status page (its public page and badges go at once)",
        v1::DeleteStatusPageRequest::descriptor(), empty, "",
        UPTIME_UNARY(status_pages, DeleteStatusPage, v1::DeleteStatusPageRequest, pb::Empty));

  // ClusterService
  proxy(verb::get, "/api/v1/agents", "ListAgents", "ClusterService", "List connected agents",
        v1::ListAgentsRequest::descriptor(), v1::ListAgentsResponse::descriptor(), "",
        UPTIME_UNARY(cluster, ListAgents, v1::ListAgentsRequest, v1::ListAgentsResponse));
  proxy(verb::get, "/api/v1/cluster", "GetClusterInfo", "ClusterService",
        "The coordinator: leader, version, counts", v1::GetClusterInfoRequest::descriptor(),
        v1::ClusterInfo::descriptor(), "",
        UPTIME_UNARY(cluster, GetClusterInfo, v1::GetClusterInfoRequest, v1::ClusterInfo));

  // AuthService
  proxy(verb::get, "/api/v1/caller", "GetCaller", "AuthService",
        "The role the caller's bearer token grants", v1::GetCallerRequest::descriptor(),
        v1::Caller::descriptor(), "",
        UPTIME_UNARY(auth, GetCaller, v1::GetCallerRequest, v1::Caller));
  // Sign-in for the dashboard: the session goes into cookies, never into
  // the body (docs/accounts.md).
  local(verb::post, "/api/v1/auth:login", "Login", "AuthService",
        "Sign in (body: username, password, totpCode; no credential). Sets the uptime_session "
        "(HttpOnly) and uptime_csrf cookies; answers the caller and the CSRF token to send as "
        "X-CSRF-Token on cookie-authenticated writes. clientAddress is set by the gateway.",
        v1::LoginRequest::descriptor(), v1::Caller::descriptor(), RouteKind::kLogin,
        /*body=*/"*");  // documented as the body; parsed by SignIn itself
  local(verb::post, "/api/v1/auth:logout", "Logout", "AuthService",
        "Sign out: ends the session and clears the cookies (also when it had already ended)",
        v1::LogoutRequest::descriptor(), empty, RouteKind::kLogout);

  // UserService
  proxy(verb::get, "/api/v1/users", "ListUsers", "UserService",
        "List users, ordered by username (admins)", v1::ListUsersRequest::descriptor(),
        v1::ListUsersResponse::descriptor(), "",
        UPTIME_UNARY(users, ListUsers, v1::ListUsersRequest, v1::ListUsersResponse));
  proxy(verb::post, "/api/v1/users", "CreateUser", "UserService",
        "Create a user (body: User with username, role, password; admins)",
        v1::CreateUserRequest::descriptor(), v1::User::descriptor(), "user",
        UPTIME_UNARY(users, CreateUser, v1::CreateUserRequest, v1::User));
  proxy(verb::get, "/api/v1/users/{id}", "GetUser", "UserService",
        "Get a user (\"me\": the caller's own)", v1::GetUserRequest::descriptor(),
        v1::User::descriptor(), "",
        UPTIME_UNARY(users, GetUser, v1::GetUserRequest, v1::User));
  proxy(verb::patch, "/api/v1/users/{user.id}", "UpdateUser", "UserService",
        "Update a user (body: User; update_mask: display_name, role, disabled, password)",
        v1::UpdateUserRequest::descriptor(), v1::User::descriptor(), "user",
        UPTIME_UNARY(users, UpdateUser, v1::UpdateUserRequest, v1::User));
  proxy(verb::delete_, "/api/v1/users/{id}", "DeleteUser", "UserService",
        "Delete a user with their keys and sessions", v1::DeleteUserRequest::descriptor(), empty,
        "", UPTIME_UNARY(users, DeleteUser, v1::DeleteUserRequest, pb::Empty));
  proxy(verb::post, "/api/v1/users/me:changePassword", "ChangePassword", "UserService",
        "Change the caller's own password (body: currentPassword, newPassword)",
        v1::ChangePasswordRequest::descriptor(), empty, "*",
        UPTIME_UNARY(users, ChangePassword, v1::ChangePasswordRequest, pb::Empty));
  // The caller's second factor (TOTP): Begin answers a fresh secret, which
  // takes effect only once Confirm gets a current code from the app.
  proxy(verb::post, "/api/v1/users/me:beginTotpEnrollment", "BeginTotpEnrollment",
        "UserService",
        "Start turning on a second factor for the caller (no body, or {}): answers a new TOTP "
        "secret and its otpauth:// URL, active once confirmed",
        v1::BeginTotpEnrollmentRequest::descriptor(), v1::TotpEnrollment::descriptor(), "*",
        UPTIME_UNARY(users, BeginTotpEnrollment, v1::BeginTotpEnrollmentRequest,
                     v1::TotpEnrollment));
  proxy(verb::post, "/api/v1/users/me:confirmTotpEnrollment", "ConfirmTotpEnrollment",
        "UserService",
        "Turn the second factor on (body: code, the 6 digits the app shows); from then on "
        "auth:login needs totpCode",
        v1::ConfirmTotpEnrollmentRequest::descriptor(), empty, "*",
        UPTIME_UNARY(users, ConfirmTotpEnrollment, v1::ConfirmTotpEnrollmentRequest,
                     pb::Empty));
  proxy(verb::post, "/api/v1/users/{user_id}:disableTotp", "DisableTotp", "UserService",
        "Turn a second factor off: \"me\" with the caller's password (body: password), or "
        "(admins) another user's, without one",
        v1::DisableTotpRequest::descriptor(), empty, "*",
        UPTIME_UNARY(users, DisableTotp, v1::DisableTotpRequest, pb::Empty));
  proxy(verb::get, "/api/v1/apiKeys", "ListApiKeys", "UserService",
        "List API keys: the caller's, or (admins) user_id's, or \"-\" for everyone's",
        v1::ListApiKeysRequest::descriptor(), v1::ListApiKeysResponse::descriptor(), "",
        UPTIME_UNARY(users, ListApiKeys, v1::ListApiKeysRequest, v1::ListApiKeysResponse));
  proxy(verb::post, "/api/v1/apiKeys", "CreateApiKey", "UserService",
        "Create an API key (body: ApiKey with name, role, optional expireTime; admins may set "
        "user_id in the query). The key is in the answer this once.",
        v1::CreateApiKeyRequest::descriptor(), v1::CreateApiKeyResponse::descriptor(), "api_key",
        UPTIME_UNARY(users, CreateApiKey, v1::CreateApiKeyRequest, v1::CreateApiKeyResponse));
  proxy(verb::delete_, "/api/v1/apiKeys/{id}", "RevokeApiKey", "UserService",
        "Revoke an API key", v1::RevokeApiKeyRequest::descriptor(), empty, "",
        UPTIME_UNARY(users, RevokeApiKey, v1::RevokeApiKeyRequest, pb::Empty));

  // AuditService
  proxy(verb::get, "/api/v1/auditEvents", "ListAuditEvents", "AuditService",
        "The audit log, newest first (page_size, page_token, resource_type, resource_id, actor; "
        "admins)",
        v1::ListAuditEventsRequest::descriptor(), v1::ListAuditEventsResponse::descriptor(), "",
        UPTIME_UNARY(audit, ListAuditEvents, v1::ListAuditEventsRequest,
                     v1::ListAuditEventsResponse));

  local(verb::get, "/api/v1/openapi.json", "GetOpenApi", "Gateway",
        "This document (OpenAPI 3)", nullptr, nullptr, RouteKind::kOpenApi);
  return r;
}

#undef UPTIME_UNARY

}  // namespace

const std::vector<ApiRoute>& ApiRoutes() {
  static const std::vector<ApiRoute>* routes = new std::vector<ApiRoute>(BuildRoutes());
  return *routes;
}

}  // namespace uptime::gateway
