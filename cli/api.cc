#include "cli/api.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"

namespace uptime::cli {

absl::StatusOr<std::shared_ptr<grpc::ChannelInterface>> MakeChannel(
    const ConnectionOptions& options) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(options.tls));
  return std::shared_ptr<grpc::ChannelInterface>(
      grpc::CreateCustomChannel(options.addr, credentials, MakeChannelArguments(options.tls)));
}

absl::StatusOr<std::unique_ptr<Api>> Api::Connect(const ConnectionOptions& options,
                                                  const ChannelFactory& factory) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelInterface> channel, factory(options));
  return std::make_unique<Api>(options, std::move(channel));
}

Api::Api(ConnectionOptions options, std::shared_ptr<grpc::ChannelInterface> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      monitors_(v1::MonitorService::NewStub(channel_)),
      statuses_(v1::StatusService::NewStub(channel_)),
      cluster_(v1::ClusterService::NewStub(channel_)),
      maintenance_(v1::MaintenanceService::NewStub(channel_)),
      status_pages_(v1::StatusPageService::NewStub(channel_)),
      notifications_(v1::NotificationService::NewStub(channel_)),
      auth_(v1::AuthService::NewStub(channel_)),
      users_(v1::UserService::NewStub(channel_)),
      audit_(v1::AuditService::NewStub(channel_)) {}

absl::Status Api::Call(absl::FunctionRef<grpc::Status(grpc::ClientContext*)> rpc) const {
  grpc::ClientContext ctx;
  AttachToken(&ctx, options_.token);
  // The deadline is wall-clock glue for gRPC, not logic: no injected clock.
  ctx.set_deadline(std::chrono::system_clock::now() +
                   absl::ToChronoMilliseconds(options_.timeout));
  return ToStatus(rpc(&ctx));
}

std::unique_ptr<grpc::ClientContext> Api::StreamContext() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  AttachToken(ctx.get(), options_.token);
  return ctx;
}

bool Api::Connected() const {
  return channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
}

absl::Status Api::ToStatus(const grpc::Status& status) const {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  // A coordinator that answers UNAVAILABLE itself (not the leader, store down)
  // leaves the channel READY; only a transport failure leaves it otherwise.
  const bool transport_failure =
      (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded) &&
      channel_->GetState(/*try_to_connect=*/false) != GRPC_CHANNEL_READY;
  if (transport_failure) {
    return absl::Status(code, absl::StrCat("cannot reach coordinator at ", options_.addr,
                                           " (is it running? set --addr, UPTIME_ADDR or a context): ",
                                           status.error_message()));
  }
  return absl::Status(code, status.error_message());
}

}  // namespace uptime::cli
