#include "cli/testing/fake_coordinator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/field_mask_util.h"
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

// Enough of the real service for the CLI: slugs unique and required, lookup
// by id or slug, field-mask updates. resolved_monitor_ids are the configured
// ids (the fake does not evaluate selectors).
class FakeCoordinator::StatusPages final : public v1::StatusPageService::Service {
 public:
  explicit StatusPages(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateStatusPage(grpc::ServerContext* ctx, const v1::CreateStatusPageRequest* req,
                                v1::StatusPage* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.created_status_page_ = req->status_page();
    v1::StatusPage page = req->status_page();
    page.set_id(absl::StrFormat("sp-%016x", f_.next_id_++));
    page.mutable_create_time()->set_seconds(1'700'000'000);
    if (grpc::Status s = Store(page, ""); !s.ok()) return s;
    *resp = std::move(page);
    return grpc::Status::OK;
  }

  grpc::Status GetStatusPage(grpc::ServerContext* ctx, const v1::GetStatusPageRequest* req,
                             v1::StatusPage* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (req->id().empty() == req->slug().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "give exactly one of id and slug");
    }
    auto it = req->id().empty() ? f_.status_pages_.find(req->slug()) : FindById(req->id());
    if (it == f_.status_pages_.end()) return PageNotFound(req->id() + req->slug());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListStatusPages(grpc::ServerContext* ctx, const v1::ListStatusPagesRequest* req,
                               v1::ListStatusPagesResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    resp->set_next_page_token(
        Page(f_.status_pages_, req->page_token(), req->page_size(), f_.max_page_size_,
             [&](const v1::StatusPage& p) { *resp->add_status_pages() = p; }));
    return grpc::Status::OK;
  }

  grpc::Status UpdateStatusPage(grpc::ServerContext* ctx, const v1::UpdateStatusPageRequest* req,
                                v1::StatusPage* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.last_update_status_page_ = *req;
    auto it = FindById(req->status_page().id());
    if (it == f_.status_pages_.end()) return PageNotFound(req->status_page().id());
    v1::StatusPage page = it->second;
    if (req->update_mask().paths().empty()) {
      v1::StatusPage replacement = req->status_page();
      *replacement.mutable_create_time() = page.create_time();
      page = std::move(replacement);
    } else {
      google::protobuf::util::FieldMaskUtil::MergeOptions options;
      options.set_replace_message_fields(true);
      options.set_replace_repeated_fields(true);
      google::protobuf::util::FieldMaskUtil::MergeMessageTo(req->status_page(),
                                                            req->update_mask(), options, &page);
    }
    if (grpc::Status s = Store(page, it->first); !s.ok()) return s;
    *resp = std::move(page);
    return grpc::Status::OK;
  }

  grpc::Status DeleteStatusPage(grpc::ServerContext* ctx, const v1::DeleteStatusPageRequest* req,
                                google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = FindById(req->id());
    if (it == f_.status_pages_.end()) return PageNotFound(req->id());
    f_.status_pages_.erase(it);
    return grpc::Status::OK;
  }

 private:
  using PageMap = std::map<std::string, v1::StatusPage>;

  static grpc::Status PageNotFound(const std::string& name) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("status page '", name, "' not found"));
  }

  PageMap::iterator FindById(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f_.mu_) {
    return std::find_if(f_.status_pages_.begin(), f_.status_pages_.end(),
                        [&](const auto& entry) { return entry.second.id() == id; });
  }

  // Validates and stores `page`, which was filed under `old_slug` ("" for a
  // new page); fills in the output-only fields.
  grpc::Status Store(v1::StatusPage& page, const std::string& old_slug)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(f_.mu_) {
    if (page.slug().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "status_page.slug: required");
    }
    if (page.slug() != old_slug && f_.status_pages_.count(page.slug()) > 0) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          absl::StrCat("status_page.slug: '", page.slug(), "' is taken"));
    }
    for (v1::StatusPageGroup& g : *page.mutable_groups()) {
      *g.mutable_resolved_monitor_ids() = g.monitor_ids();
    }
    page.mutable_update_time()->set_seconds(1'700'000'000);
    if (!old_slug.empty()) f_.status_pages_.erase(old_slug);
    f_.status_pages_[page.slug()] = page;
    return grpc::Status::OK;
  }

  FakeCoordinator& f_;
};

FakeCoordinator::FakeCoordinator()
    : monitor_service_(std::make_unique<Monitors>(*this)),
      status_service_(std::make_unique<Statuses>(*this)),
      cluster_service_(std::make_unique<Cluster>(*this)),
      maintenance_service_(std::make_unique<Maintenance>(*this)),
      status_page_service_(std::make_unique<StatusPages>(*this)) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(monitor_service_.get());
  builder.RegisterService(status_service_.get());
  builder.RegisterService(cluster_service_.get());
  builder.RegisterService(maintenance_service_.get());
  builder.RegisterService(status_page_service_.get());
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

void FakeCoordinator::AddStatusPage(v1::StatusPage page) {
  absl::MutexLock lock(&mu_);
  status_pages_[page.slug()] = std::move(page);
}

std::optional<v1::StatusPage> FakeCoordinator::CreatedStatusPage() {
  absl::MutexLock lock(&mu_);
  return created_status_page_;
}

std::optional<v1::UpdateStatusPageRequest> FakeCoordinator::LastUpdateStatusPage() {
  absl::MutexLock lock(&mu_);
  return last_update_status_page_;
}

std::optional<v1::StatusPage> FakeCoordinator::FindStatusPage(const std::string& id) {
  absl::MutexLock lock(&mu_);
  for (const auto& [slug, page] : status_pages_) {
    if (page.id() == id) return page;
  }
  return std::nullopt;
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
