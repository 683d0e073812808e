#include "cli/testing/fake_coordinator.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

// One page of `items` (ordered by key) after `page_token`, the last key
// served being the next token: the paging contract of the real API.
template <typename Map, typename Add>
std::string Page(const Map& items, const std::string& page_token, int requested, int max,
                 Add add) {
  const int size = requested > 0 && requested < max ? requested : max;
  auto it = page_token.empty() ? items.begin() : items.upper_bound(page_token);
  for (int n = 0; it != items.end() && n < size; ++it, ++n) add(it->second);
  if (it == items.end()) return "";
  return std::prev(it)->first;
}

grpc::Status NotFound(const std::string& id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("monitor '", id, "' not found"));
}

}  // namespace

class FakeCoordinator::Monitors final : public v1::MonitorService::Service {
 public:
  explicit Monitors(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateMonitor(grpc::ServerContext* ctx, const v1::CreateMonitorRequest* req,
                             v1::Monitor* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.created_ = req->monitor();
    *resp = req->monitor();
    resp->set_id(absl::StrCat("mon-", f_.next_id_++));
    resp->mutable_create_time()->set_seconds(1'700'000'000);
    f_.monitors_[resp->id()] = *resp;
    return grpc::Status::OK;
  }

  grpc::Status GetMonitor(grpc::ServerContext* ctx, const v1::GetMonitorRequest* req,
                          v1::Monitor* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.monitors_.find(req->id());
    if (it == f_.monitors_.end()) return NotFound(req->id());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListMonitors(grpc::ServerContext* ctx, const v1::ListMonitorsRequest* req,
                            v1::ListMonitorsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.last_list_monitors_ = *req;
    resp->set_next_page_token(Page(f_.monitors_, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::Monitor& m) { *resp->add_monitors() = m; }));
    return grpc::Status::OK;
  }

  grpc::Status DeleteMonitor(grpc::ServerContext* ctx, const v1::DeleteMonitorRequest* req,
                             google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (f_.monitors_.erase(req->id()) == 0) return NotFound(req->id());
    return grpc::Status::OK;
  }

  grpc::Status PauseMonitor(grpc::ServerContext* ctx, const v1::PauseMonitorRequest* req,
                            v1::Monitor* resp) override {
    return SetPaused(*ctx, req->id(), true, resp);
  }

  grpc::Status ResumeMonitor(grpc::ServerContext* ctx, const v1::ResumeMonitorRequest* req,
                             v1::Monitor* resp) override {
    return SetPaused(*ctx, req->id(), false, resp);
  }

 private:
  grpc::Status SetPaused(const grpc::ServerContext& ctx, const std::string& id, bool paused,
                         v1::Monitor* resp) {
    if (grpc::Status s = f_.Begin(ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.monitors_.find(id);
    if (it == f_.monitors_.end()) return NotFound(id);
    it->second.set_paused(paused);
    *resp = it->second;
    return grpc::Status::OK;
  }

  FakeCoordinator& f_;
};

class FakeCoordinator::Statuses final : public v1::StatusService::Service {
 public:
  explicit Statuses(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest* req,
                         v1::MonitorStatus* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.statuses_.find(req->monitor_id());
    if (it == f_.statuses_.end()) return NotFound(req->monitor_id());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListStatuses(grpc::ServerContext* ctx, const v1::ListStatusesRequest* req,
                            v1::ListStatusesResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.last_list_statuses_ = *req;
    resp->set_next_page_token(
        Page(f_.statuses_, req->page_token(), req->page_size(), f_.max_page_size_,
             [&](const v1::MonitorStatus& s) { *resp->add_statuses() = s; }));
    return grpc::Status::OK;
  }

 private:
  FakeCoordinator& f_;
};

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

FakeCoordinator::FakeCoordinator()
    : monitor_service_(std::make_unique<Monitors>(*this)),
      status_service_(std::make_unique<Statuses>(*this)),
      cluster_service_(std::make_unique<Cluster>(*this)),
      maintenance_service_(std::make_unique<Maintenance>(*this)) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(monitor_service_.get());
  builder.RegisterService(status_service_.get());
  builder.RegisterService(cluster_service_.get());
  builder.RegisterService(maintenance_service_.get());
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

void FakeCoordinator::AddMonitor(v1::Monitor monitor) {
  absl::MutexLock lock(&mu_);
  monitors_[monitor.id()] = std::move(monitor);
}

void FakeCoordinator::AddStatus(v1::MonitorStatus status) {
  absl::MutexLock lock(&mu_);
  statuses_[status.monitor_id()] = std::move(status);
}

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

void FakeCoordinator::FailWith(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

void FakeCoordinator::SetMaxPageSize(int size) {
  absl::MutexLock lock(&mu_);
  max_page_size_ = size;
}

bool FakeCoordinator::HasMonitor(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return monitors_.count(id) > 0;
}

std::optional<v1::Monitor> FakeCoordinator::CreatedMonitor() {
  absl::MutexLock lock(&mu_);
  return created_;
}

std::optional<v1::ListMonitorsRequest> FakeCoordinator::LastListMonitors() {
  absl::MutexLock lock(&mu_);
  return last_list_monitors_;
}

std::optional<v1::ListStatusesRequest> FakeCoordinator::LastListStatuses() {
  absl::MutexLock lock(&mu_);
  return last_list_statuses_;
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
