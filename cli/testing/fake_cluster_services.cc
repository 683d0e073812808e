// FakeCoordinator's ClusterService and MaintenanceService, and the test
// setters and recordings they serve.
#include "cli/testing/fake_coordinator.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cli/testing/fake_service_responses.h"

namespace uptime::cli {

using fake_service_responses::Page;
using fake_service_responses::NotFound;

class FakeCoordinator::Cluster final : public v1::ClusterService::Service {
 public:
  explicit Cluster(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status ListAgents(grpc::ServerContext* ctx, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    *resp = f_.agents_;
    return grpc::Status::OK;
  }

  grpc::Status GetClusterInfo(grpc::ServerContext* ctx, const v1::GetClusterInfoRequest*,
                              v1::ClusterInfo* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    *resp = f_.cluster_info_;
    return grpc::Status::OK;
  }

 private:
  FakeCoordinator& f_;
};

class FakeCoordinator::Maintenance final : public v1::MaintenanceService::Service {
 public:
  explicit Maintenance(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateMaintenanceWindow(grpc::ServerContext* ctx,
                                       const v1::CreateMaintenanceWindowRequest* req,
                                       v1::MaintenanceWindow* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.created_window_ = req->window();
    *resp = req->window();
    resp->set_id(absl::StrCat("mw-", f_.next_id_++));
    f_.windows_[resp->id()] = *resp;
    return grpc::Status::OK;
  }

  grpc::Status GetMaintenanceWindow(grpc::ServerContext* ctx,
                                    const v1::GetMaintenanceWindowRequest* req,
                                    v1::MaintenanceWindow* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.windows_.find(req->id());
    if (it == f_.windows_.end()) return NotFound(req->id());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListMaintenanceWindows(grpc::ServerContext* ctx,
                                      const v1::ListMaintenanceWindowsRequest* req,
                                      v1::ListMaintenanceWindowsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    resp->set_next_page_token(
        Page(f_.windows_, req->page_token(), req->page_size(), f_.max_page_size_,
             [&](const v1::MaintenanceWindow& w) {
               if (!req->active_only() || w.active()) *resp->add_windows() = w;
             }));
    return grpc::Status::OK;
  }

  grpc::Status DeleteMaintenanceWindow(grpc::ServerContext* ctx,
                                       const v1::DeleteMaintenanceWindowRequest* req,
                                       google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (f_.windows_.erase(req->id()) == 0) return NotFound(req->id());
    return grpc::Status::OK;
  }

 private:
  FakeCoordinator& f_;
};

void FakeCoordinator::AddAgent(v1::AgentInfo agent) {
  absl::MutexLock lock(&mu_);
  *agents_.add_agents() = std::move(agent);
}

void FakeCoordinator::SetClusterInfo(v1::ClusterInfo info) {
  absl::MutexLock lock(&mu_);
  cluster_info_ = std::move(info);
}

void FakeCoordinator::AddWindow(v1::MaintenanceWindow window) {
  absl::MutexLock lock(&mu_);
  windows_[window.id()] = std::move(window);
}

std::optional<v1::MaintenanceWindow> FakeCoordinator::CreatedWindow() {
  absl::MutexLock lock(&mu_);
  return created_window_;
}

bool FakeCoordinator::HasWindow(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return windows_.count(id) > 0;
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewClusterService(FakeCoordinator& fake) {
  return std::make_unique<Cluster>(fake);
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewMaintenanceService(FakeCoordinator& fake) {
  return std::make_unique<Maintenance>(fake);
}

}  // namespace uptime::cli
