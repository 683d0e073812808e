// The connection from uptimectl to the coordinator's public API.
//
// Commands never build channels or contexts themselves: they get an `Api`
// and wrap each RPC in `Api::Call`, which attaches the bearer token and the
// deadline and turns a failed call into an absl::Status a shell user can act
// on. The channel comes from an injected `ChannelFactory`, so tests point the
// real command code at an in-process fake coordinator.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<Api> api, Api::Connect(options, MakeChannel));
//   v1::Monitor monitor;
//   RETURN_IF_ERROR(api->Call([&](grpc::ClientContext* ctx) {
//     return api->monitors().GetMonitor(ctx, request, &monitor);
//   }));
#ifndef UPTIME_CLI_API_H_
#define UPTIME_CLI_API_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "uptime/v1/audit.grpc.pb.h"
#include "uptime/v1/auth.grpc.pb.h"
#include "uptime/v1/cluster.grpc.pb.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/notification.grpc.pb.h"
#include "uptime/v1/status.grpc.pb.h"
#include "uptime/v1/status_page.grpc.pb.h"
#include "uptime/v1/user.grpc.pb.h"

namespace uptime::cli {

// Where and how to reach the coordinator (the global flags, resolved).
struct ConnectionOptions {
  std::string addr = "localhost:7070";
  std::string token;  // already resolved from --token or --token-file
  absl::Duration timeout = absl::Seconds(10);  // per RPC
  ClientTlsOptions tls;
};

using ChannelFactory = std::function<absl::StatusOr<std::shared_ptr<grpc::ChannelInterface>>(
    const ConnectionOptions&)>;

// The production factory: TLS credentials from `options.tls` (INVALID_ARGUMENT
// naming the flag when a file is unusable). Does not connect yet: gRPC
// connects on the first call.
absl::StatusOr<std::shared_ptr<grpc::ChannelInterface>> MakeChannel(
    const ConnectionOptions& options);

// Stubs of the public services over one channel. Immutable after creation;
// Call() is thread-safe, though uptimectl makes one call at a time.
class Api {
 public:
  static absl::StatusOr<std::unique_ptr<Api>> Connect(const ConnectionOptions& options,
                                                      const ChannelFactory& factory);

  Api(ConnectionOptions options, std::shared_ptr<grpc::ChannelInterface> channel);

  v1::MonitorService::StubInterface& monitors() const { return *monitors_; }
  v1::StatusService::StubInterface& statuses() const { return *statuses_; }
  v1::ClusterService::StubInterface& cluster() const { return *cluster_; }
  v1::MaintenanceService::StubInterface& maintenance() const { return *maintenance_; }
  v1::StatusPageService::StubInterface& status_pages() const { return *status_pages_; }
  v1::NotificationService::StubInterface& notifications() const { return *notifications_; }
  v1::AuthService::StubInterface& auth() const { return *auth_; }
  v1::UserService::StubInterface& users() const { return *users_; }
  v1::AuditService::StubInterface& audit() const { return *audit_; }

  // Runs `rpc` with a fresh context carrying the token and deadline. A failed
  // call keeps its gRPC code (absl and gRPC codes share numbers); when the
  // channel never got connected the message says the coordinator cannot be
  // reached, because gRPC's own text ("failed to connect to all addresses")
  // does not name the address the user typed.
  absl::Status Call(absl::FunctionRef<grpc::Status(grpc::ClientContext*)> rpc) const;

  // For a server stream that lasts until cancelled (`watch`): a context
  // carrying the token but no deadline.
  std::unique_ptr<grpc::ClientContext> StreamContext() const;
  // A finished call's status translated as Call() does.
  absl::Status ToStatus(const grpc::Status& status) const;
  // True once the channel has connected (READY), e.g. to tell a stream that
  // broke from one that never started.
  bool Connected() const;

  // A paged List call: `rpc(ctx, request, &page)` for the page `request`
  // names, appended to `merged` (its repeated items concatenate). With
  // `all`, follows next_page_token to the end and leaves merged's token
  // empty; otherwise one page, whose token merged keeps. A server repeating
  // a token would loop forever: that is treated as the end.
  template <typename Request, typename Response, typename Rpc>
  absl::Status ListPages(Request request, bool all, Rpc rpc, Response* merged) const {
    while (true) {
      Response page;
      absl::Status s =
          Call([&](grpc::ClientContext* ctx) { return rpc(ctx, request, &page); });
      if (!s.ok()) return s;
      const std::string next = page.next_page_token();
      merged->MergeFrom(page);
      if (!all || next.empty() || next == request.page_token()) {
        merged->set_next_page_token(all ? "" : next);
        return absl::OkStatus();
      }
      request.set_page_token(next);
    }
  }

 private:
  const ConnectionOptions options_;
  const std::shared_ptr<grpc::ChannelInterface> channel_;
  const std::unique_ptr<v1::MonitorService::StubInterface> monitors_;
  const std::unique_ptr<v1::StatusService::StubInterface> statuses_;
  const std::unique_ptr<v1::ClusterService::StubInterface> cluster_;
  const std::unique_ptr<v1::MaintenanceService::StubInterface> maintenance_;
  const std::unique_ptr<v1::StatusPageService::StubInterface> status_pages_;
  const std::unique_ptr<v1::NotificationService::StubInterface> notifications_;
  const std::unique_ptr<v1::AuthService::StubInterface> auth_;
  const std::unique_ptr<v1::UserService::StubInterface> users_;
  const std::unique_ptr<v1::AuditService::StubInterface> audit_;
};

}  // namespace uptime::cli

#endif  // UPTIME_CLI_API_H_
