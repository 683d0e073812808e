// The REST mirror's route table: every public RPC (and the gateway's own
// endpoints under /api/v1) as (method, Google-style path pattern, request
// and response messages, which request field the body fills) plus how it is
// served. The router, the handler and the OpenAPI document are all built
// from this one table, so they cannot disagree.
#ifndef UPTIME_GATEWAY_API_ROUTES_H_
#define UPTIME_GATEWAY_API_ROUTES_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "boost/beast/http/verb.hpp"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "uptime/v1/audit.grpc.pb.h"
#include "uptime/v1/auth.grpc.pb.h"
#include "uptime/v1/cluster.grpc.pb.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/notification.grpc.pb.h"
#include "uptime/v1/status.grpc.pb.h"
#include "uptime/v1/status_page.grpc.pb.h"
#include "uptime/v1/user.grpc.pb.h"

namespace uptime::gateway {

// Stubs of the public services over one channel. Immutable; thread-safe.
struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::ChannelInterface>& channel);
  std::unique_ptr<v1::MonitorService::Stub> monitors;
  std::unique_ptr<v1::StatusService::Stub> statuses;
  std::unique_ptr<v1::NotificationService::Stub> channels;
  std::unique_ptr<v1::MaintenanceService::Stub> maintenance;
  std::unique_ptr<v1::StatusPageService::Stub> status_pages;
  std::unique_ptr<v1::ClusterService::Stub> cluster;
  std::unique_ptr<v1::AuthService::Stub> auth;
  std::unique_ptr<v1::UserService::Stub> users;
  std::unique_ptr<v1::AuditService::Stub> audit;
};

// Completion of a proxied call: the status and, when OK, the response JSON.
using CallDone = std::function<void(const grpc::Status&, std::string json)>;

// Starts one asynchronous unary call (gRPC's callback API: no thread waits)
// with `authorization` forwarded as metadata; `done` runs on a gRPC thread.
// `client_address`: the person's address as the gateway saw it (empty:
// unknown), sent as `x-uptime-client-address` for the coordinator's audit log.
using UnaryCall = std::function<void(const Stubs& stubs, std::unique_ptr<google::protobuf::Message>
                                                             request,
                                     const std::string& authorization,
                                     const std::string& client_address, absl::Duration timeout,
                                     CallDone done)>;

enum class RouteKind {
  kProxy,          // forwarded to the coordinator with the caller's token
  kStatusList,     // answered from the snapshot
  kStatusGet,      // answered from the snapshot
  kStatusSummary,  // answered from the snapshot
  kEvents,         // server-sent events from the hub
  kOpenApi,        // this table as OpenAPI 3
  kLogin,          // AuthService.Login, answered with cookies (sign_in.h)
  kLogout,         // AuthService.Logout, clearing the cookies
};

struct ApiRoute {
  boost::beast::http::verb method;
  std::string pattern;
  std::string operation_id;  // the RPC's name; also the metrics label
  std::string tag;           // the service, for the document
  std::string summary;
  const google::protobuf::Descriptor* request = nullptr;
  const google::protobuf::Descriptor* response = nullptr;  // null: not a proto
  std::string body;  // "": no body; "*": the whole request; else a field name
  RouteKind kind = RouteKind::kProxy;
  UnaryCall call;  // kProxy only
};

// The table (built once; the order is the document's).
const std::vector<ApiRoute>& ApiRoutes();

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_API_ROUTES_H_
