// FakeCoordinator itself: the server, the call recording and failure
// injection shared by every service. The services are in the
// fake_*_service*.cc files beside it.
#include "cli/testing/fake_coordinator.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace uptime::cli {

FakeCoordinator::FakeCoordinator()
    : monitor_service_(NewMonitorService(*this)),
      status_service_(NewStatusService(*this)),
      cluster_service_(NewClusterService(*this)),
      maintenance_service_(NewMaintenanceService(*this)),
      status_page_service_(NewStatusPageService(*this)),
      channel_service_(NewNotificationService(*this)),
      auth_service_(NewAuthService(*this)),
      user_service_(NewUserService(*this)),
      audit_service_(NewAuditService(*this)) {
  {
    absl::MutexLock lock(&mu_);
    test_channel_result_.set_delivered(true);
  }
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(monitor_service_.get());
  builder.RegisterService(status_service_.get());
  builder.RegisterService(cluster_service_.get());
  builder.RegisterService(maintenance_service_.get());
  builder.RegisterService(status_page_service_.get());
  builder.RegisterService(channel_service_.get());
  builder.RegisterService(auth_service_.get());
  builder.RegisterService(user_service_.get());
  builder.RegisterService(audit_service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) ADD_FAILURE() << "fake coordinator did not start";
  addr_ = absl::StrCat("127.0.0.1:", port);
}

FakeCoordinator::~FakeCoordinator() {
  if (server_ != nullptr) server_->Shutdown();
}

grpc::Status FakeCoordinator::Begin(const grpc::ServerContext& ctx) {
  absl::MutexLock lock(&mu_);
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  authorizations_.push_back(it == md.end() ? "" : std::string(it->second.data(), it->second.size()));
  return failure_;
}

grpc::Status FakeCoordinator::Begin(const grpc::ServerContext& ctx,
                                    const google::protobuf::Message& request) {
  {
    absl::MutexLock lock(&mu_);
    last_requests_[request.GetDescriptor()->full_name()] = request.SerializeAsString();
  }
  return Begin(ctx);
}

std::optional<v1::Caller> FakeCoordinator::CallerOf(const grpc::ServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return std::nullopt;
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&value, "Bearer ")) return std::nullopt;
  auto found = credentials_.find(std::string(value));
  if (found == credentials_.end()) return std::nullopt;
  return found->second;
}

void FakeCoordinator::FailWith(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

void FakeCoordinator::SetMaxPageSize(int size) {
  absl::MutexLock lock(&mu_);
  max_page_size_ = size;
}

std::vector<std::string> FakeCoordinator::Authorizations() {
  absl::MutexLock lock(&mu_);
  return authorizations_;
}

int FakeCoordinator::calls() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(authorizations_.size());
}

}  // namespace uptime::cli
