#include "cli/testing/fake_coordinator.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
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

  grpc::Status ListResults(grpc::ServerContext* ctx, const v1::ListResultsRequest* req,
                           v1::ListResultsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    const int64_t start_us = req->has_start_time() ? TimestampMicros(req->start_time()) : INT64_MIN;
    const int64_t end_us = req->has_end_time() ? TimestampMicros(req->end_time()) : INT64_MAX;
    std::map<std::string, v1::CheckResult> matching;
    for (const auto& [key, r] : f_.results_) {
      if (r.monitor_id() != req->monitor_id()) continue;
      if (r.start_time_us() < start_us || r.start_time_us() >= end_us) continue;
      if (req->failures_only() && r.success()) continue;
      matching[key] = r;
    }
    resp->set_next_page_token(Page(matching, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::CheckResult& r) { *resp->add_results() = r; }));
    return grpc::Status::OK;
  }

  grpc::Status GetUptime(grpc::ServerContext* ctx, const v1::GetUptimeRequest* req,
                         v1::GetUptimeResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.uptimes_.find(req->monitor_id());
    if (it == f_.uptimes_.end()) return NotFound(req->monitor_id());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListIncidents(grpc::ServerContext* ctx, const v1::ListIncidentsRequest* req,
                             v1::ListIncidentsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::map<std::string, v1::Incident> matching;
    for (const auto& [key, i] : f_.incidents_) {
      if (!req->monitor_id().empty() && i.monitor_id() != req->monitor_id()) continue;
      if (req->open_only() && i.has_resolved()) continue;
      matching[key] = i;
    }
    resp->set_next_page_token(Page(matching, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::Incident& i) { *resp->add_incidents() = i; }));
    return grpc::Status::OK;
  }

  // Polls for cancellation: a sync handler has no callback for it.
  grpc::Status WatchEvents(grpc::ServerContext* ctx, const v1::WatchEventsRequest* req,
                           grpc::ServerWriter<v1::Event>* writer) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    int id = 0;
    {
      absl::MutexLock lock(&f_.mu_);
      id = ++f_.watches_started_;
      f_.watches_[id].request = *req;
    }
    writer->SendInitialMetadata();
    while (true) {
      std::vector<v1::Event> events;
      std::optional<grpc::Status> end;
      {
        absl::MutexLock lock(&f_.mu_);
        Watch& watch = f_.watches_[id];
        f_.mu_.AwaitWithTimeout(absl::Condition(
                                    +[](Watch* w) { return !w->queue.empty() || w->end.has_value(); },
                                    &watch),
                                absl::Milliseconds(20));
        events.swap(watch.queue);
        end = watch.end;
        if (end.has_value() || ctx->IsCancelled()) f_.watches_.erase(id);
      }
      for (const v1::Event& event : events) {
        if (!writer->Write(event)) break;
      }
      if (end.has_value()) return *end;
      if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
    }
  }

 private:
  static int64_t TimestampMicros(const google::protobuf::Timestamp& t) {
    return t.seconds() * 1'000'000 + t.nanos() / 1000;
  }

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

// Enough of the AuthService for the CLI: GetCaller from the credential table.
class FakeCoordinator::Auth final : public v1::AuthService::Service {
 public:
  explicit Auth(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status GetCaller(grpc::ServerContext* ctx, const v1::GetCallerRequest* req,
                         v1::Caller* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::optional<v1::Caller> caller = f_.CallerOf(*ctx);
    if (!caller.has_value()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or unknown credentials");
    }
    *resp = *std::move(caller);
    return grpc::Status::OK;
  }

 private:
  FakeCoordinator& f_;
};

// Users and keys in maps, with the server's checks that the CLI's tests
// need (required fields, unique usernames, password length, the current
// password); no role checks.
class FakeCoordinator::Users final : public v1::UserService::Service {
 public:
  explicit Users(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateUser(grpc::ServerContext* ctx, const v1::CreateUserRequest* req,
                          v1::User* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User user = req->user();
    if (user.username().empty()) return Invalid("user.username: required");
    if (user.role() == v1::ROLE_UNSPECIFIED) return Invalid("user.role: required");
    if (grpc::Status s = CheckPassword("user.password", user.password()); !s.ok()) return s;
    if (f_.users_.count(user.username()) > 0) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          absl::StrCat("user.username: '", user.username(), "' is taken"));
    }
    user.set_id(absl::StrFormat("u-%016x", f_.next_id_++));
    f_.passwords_[user.id()] = user.password();
    user.clear_password();
    user.mutable_create_time()->set_seconds(1'700'000'000);
    f_.users_[user.username()] = user;
    *resp = std::move(user);
    return grpc::Status::OK;
  }

  grpc::Status GetUser(grpc::ServerContext* ctx, const v1::GetUserRequest* req,
                       v1::User* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, req->id());
    if (user == nullptr) return UserNotFound(req->id());
    *resp = *user;
    return grpc::Status::OK;
  }

  grpc::Status ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                         v1::ListUsersResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    resp->set_next_page_token(Page(f_.users_, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::User& u) { *resp->add_users() = u; }));
    return grpc::Status::OK;
  }

  grpc::Status UpdateUser(grpc::ServerContext* ctx, const v1::UpdateUserRequest* req,
                          v1::User* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, req->user().id());
    if (user == nullptr) return UserNotFound(req->user().id());
    if (req->update_mask().paths().empty()) return Invalid("update_mask: required");
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "display_name") {
        user->set_display_name(req->user().display_name());
      } else if (path == "role") {
        if (req->user().role() == v1::ROLE_UNSPECIFIED) return Invalid("user.role: required");
        user->set_role(req->user().role());
      } else if (path == "disabled") {
        user->set_disabled(req->user().disabled());
      } else if (path == "password") {
        if (grpc::Status s = CheckPassword("user.password", req->user().password()); !s.ok()) {
          return s;
        }
        f_.passwords_[user->id()] = req->user().password();
      } else {
        return Invalid(absl::StrCat("update_mask: unknown path '", path, "'"));
      }
    }
    *resp = *user;
    return grpc::Status::OK;
  }

  grpc::Status DeleteUser(grpc::ServerContext* ctx, const v1::DeleteUserRequest* req,
                          google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, req->id());
    if (user == nullptr) return UserNotFound(req->id());
    f_.passwords_.erase(user->id());
    f_.users_.erase(user->username());
    return grpc::Status::OK;
  }

  grpc::Status ChangePassword(grpc::ServerContext* ctx, const v1::ChangePasswordRequest* req,
                              google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, "me");
    if (user == nullptr) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "only users have passwords: sign in with a session or an API key");
    }
    if (f_.passwords_[user->id()] != req->current_password()) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          "current_password: does not match");
    }
    if (grpc::Status s = CheckPassword("new_password", req->new_password()); !s.ok()) return s;
    f_.passwords_[user->id()] = req->new_password();
    return grpc::Status::OK;
  }

  // TOTP with a fixed secret; Confirm takes the code set by SetTotpCode
  // instead of computing one. Messages as the coordinator's.
  grpc::Status BeginTotpEnrollment(grpc::ServerContext* ctx,
                                   const v1::BeginTotpEnrollmentRequest* req,
                                   v1::TotpEnrollment* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, "me");
    if (user == nullptr) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "a second factor belongs to a user");
    }
    f_.pending_totp_.insert(user->id());
    resp->set_secret(kTotpSecret);
    resp->set_otpauth_url(absl::StrCat("otpauth://totp/Uptime%20Monitor:", user->username(),
                                       "?secret=", kTotpSecret,
                                       "&issuer=Uptime%20Monitor"));
    return grpc::Status::OK;
  }

  grpc::Status ConfirmTotpEnrollment(grpc::ServerContext* ctx,
                                     const v1::ConfirmTotpEnrollmentRequest* req,
                                     google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, "me");
    if (user == nullptr || f_.pending_totp_.count(user->id()) == 0) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "no second factor is being set up (or it took over 10 minutes): "
                          "begin again");
    }
    if (req->code() != f_.totp_code_) {
      return Invalid("code: does not match; check the phone's clock and enter the current code");
    }
    f_.pending_totp_.erase(user->id());
    user->set_totp_enabled(true);
    return grpc::Status::OK;
  }

  grpc::Status DisableTotp(grpc::ServerContext* ctx, const v1::DisableTotpRequest* req,
                           google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::optional<v1::Caller> caller = f_.CallerOf(*ctx);
    const std::string own_id = caller.has_value() ? caller->user_id() : "";
    const bool own =
        req->user_id().empty() || req->user_id() == "me" || req->user_id() == own_id;
    v1::User* user = Find(*ctx, own ? "me" : req->user_id());
    if (user == nullptr) return UserNotFound(own ? "me" : req->user_id());
    if (own && f_.passwords_[user->id()] != req->password()) {
      return Invalid("password: is wrong");
    }
    user->set_totp_enabled(false);
    return grpc::Status::OK;
  }

  grpc::Status CreateApiKey(grpc::ServerContext* ctx, const v1::CreateApiKeyRequest* req,
                            v1::CreateApiKeyResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::ApiKey key = req->api_key();
    if (key.name().empty()) return Invalid("api_key.name: required");
    if (key.role() == v1::ROLE_UNSPECIFIED) return Invalid("api_key.role: required");
    v1::User* owner = Find(*ctx, req->user_id().empty() ? "me" : req->user_id());
    if (owner == nullptr) return UserNotFound(req->user_id());
    key.set_id(absl::StrFormat("k-%016x", f_.next_id_++));
    key.set_user_id(owner->id());
    key.set_username(owner->username());
    const std::string secret =
        absl::StrCat("uk_", std::string(43 - key.id().size(), 'x'), key.id());
    key.set_prefix(secret.substr(0, 7));
    key.mutable_create_time()->set_seconds(1'700'000'000);
    f_.api_keys_[key.id()] = key;
    *resp->mutable_api_key() = std::move(key);
    resp->set_key(secret);
    return grpc::Status::OK;
  }

  grpc::Status ListApiKeys(grpc::ServerContext* ctx, const v1::ListApiKeysRequest* req,
                           v1::ListApiKeysResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::string owner = req->user_id();
    if (owner.empty()) {
      std::optional<v1::Caller> caller = f_.CallerOf(*ctx);
      owner = caller.has_value() ? caller->user_id() : "";
    }
    for (const auto& [id, key] : f_.api_keys_) {
      if (owner == "-" || key.user_id() == owner) *resp->add_api_keys() = key;
    }
    return grpc::Status::OK;
  }

  grpc::Status RevokeApiKey(grpc::ServerContext* ctx, const v1::RevokeApiKeyRequest* req,
                            google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (f_.api_keys_.erase(req->id()) == 0) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("API key '", req->id(), "' not found"));
    }
    return grpc::Status::OK;
  }

 private:
  static grpc::Status Invalid(const std::string& message) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
  }

  static grpc::Status UserNotFound(const std::string& id) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("user '", id, "' not found"));
  }

  static grpc::Status CheckPassword(const std::string& field, const std::string& password) {
    if (password.size() < 12 || password.size() > 1024) {
      return Invalid(absl::StrCat(field, ": must be 12 to 1024 characters"));
    }
    return grpc::Status::OK;
  }

  // By id, or "me" for the caller's user; null when there is none.
  v1::User* Find(const grpc::ServerContext& ctx, std::string id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(f_.mu_) {
    if (id == "me") {
      std::optional<v1::Caller> caller = f_.CallerOf(ctx);
      if (!caller.has_value() || caller->user_id().empty()) return nullptr;
      id = caller->user_id();
    }
    for (auto& [username, user] : f_.users_) {
      if (user.id() == id) return &user;
    }
    return nullptr;
  }

  FakeCoordinator& f_;
};

// The audit log, newest first, filtered as the real one; page tokens are the
// id of the last event served.
class FakeCoordinator::Audit final : public v1::AuditService::Service {
 public:
  explicit Audit(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status ListAuditEvents(grpc::ServerContext* ctx, const v1::ListAuditEventsRequest* req,
                               v1::ListAuditEventsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    int64_t after = INT64_MAX;
    if (!req->page_token().empty() && !absl::SimpleAtoi(req->page_token(), &after)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_token: not one of ours");
    }
    const int size = req->page_size() > 0 && req->page_size() < f_.max_page_size_
                         ? req->page_size()
                         : f_.max_page_size_;
    for (auto it = f_.audit_events_.rbegin(); it != f_.audit_events_.rend(); ++it) {
      const v1::AuditEvent& e = it->second;
      if (e.id() >= after) continue;
      if (!req->actor().empty() && e.actor() != req->actor()) continue;
      if (!req->resource_type().empty() && e.resource_type() != req->resource_type()) continue;
      if (!req->resource_id().empty() && e.resource_id() != req->resource_id()) continue;
      if (resp->events_size() == size) {
        resp->set_next_page_token(absl::StrCat(resp->events(size - 1).id()));
        break;
      }
      *resp->add_events() = e;
    }
    return grpc::Status::OK;
  }

 private:
  FakeCoordinator& f_;
};

class FakeCoordinator::Channels final : public v1::NotificationService::Service {
 public:
  explicit Channels(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateChannel(grpc::ServerContext* ctx, const v1::CreateChannelRequest* req,
                             v1::Channel* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::Channel channel = req->channel();
    if (channel.name().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "channel.name: is required");
    }
    channel.set_id(absl::StrFormat("ch-%016x", f_.next_id_++));
    channel.mutable_create_time()->set_seconds(1'700'000'000);
    f_.channels_[channel.id()] = channel;
    *resp = Redacted(channel);
    return grpc::Status::OK;
  }

  grpc::Status GetChannel(grpc::ServerContext* ctx, const v1::GetChannelRequest* req,
                          v1::Channel* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.channels_.find(req->id());
    if (it == f_.channels_.end()) return ChannelNotFound(req->id());
    *resp = Redacted(it->second);
    return grpc::Status::OK;
  }

  grpc::Status ListChannels(grpc::ServerContext* ctx, const v1::ListChannelsRequest* req,
                            v1::ListChannelsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    resp->set_next_page_token(
        Page(f_.channels_, req->page_token(), req->page_size(), f_.max_page_size_,
             [&](const v1::Channel& c) { *resp->add_channels() = Redacted(c); }));
    return grpc::Status::OK;
  }

  // The coordinator's rules: "name", "type", "config" (whole map; a secret
  // sent back as it was read, redacted, keeps its stored value).
  grpc::Status UpdateChannel(grpc::ServerContext* ctx, const v1::UpdateChannelRequest* req,
                             v1::Channel* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.channels_.find(req->channel().id());
    if (it == f_.channels_.end()) return ChannelNotFound(req->channel().id());
    const v1::Channel& current = it->second;
    v1::Channel updated = current;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        updated.set_name(req->channel().name());
      } else if (path == "type") {
        updated.set_type(req->channel().type());
      } else if (path == "config") {
        *updated.mutable_config() = req->channel().config();
      } else {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("update_mask: unknown field '", path, "'"));
      }
    }
    if (updated.type() == current.type()) {
      for (auto& [key, value] : *updated.mutable_config()) {
        auto old = current.config().find(key);
        if (old != current.config().end() && IsSecret(current.type(), key) &&
            value == Redact(old->second)) {
          value = old->second;
        }
      }
    }
    updated.mutable_update_time()->set_seconds(1'700'000'100);
    it->second = updated;
    *resp = Redacted(updated);
    return grpc::Status::OK;
  }

  grpc::Status DeleteChannel(grpc::ServerContext* ctx, const v1::DeleteChannelRequest* req,
                             google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (f_.channels_.erase(req->id()) == 0) return ChannelNotFound(req->id());
    return grpc::Status::OK;
  }

  grpc::Status TestChannel(grpc::ServerContext* ctx, const v1::TestChannelRequest* req,
                           v1::TestChannelResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (!f_.channels_.contains(req->id())) return ChannelNotFound(req->id());
    *resp = f_.test_channel_result_;
    return grpc::Status::OK;
  }

  static bool IsSecret(const std::string& type, const std::string& key) {
    return (type == "slack" && key == "webhook_url") || (type == "webhook" && key == "secret") ||
           (type == "pagerduty" && key == "routing_key") || (type == "email" && key == "password");
  }

  static std::string Redact(const std::string& secret) {
    return absl::StrCat("****", secret.size() > 4 ? secret.substr(secret.size() - 4) : "");
  }

  static v1::Channel Redacted(v1::Channel channel) {
    for (auto& [key, value] : *channel.mutable_config()) {
      if (IsSecret(channel.type(), key)) value = Redact(value);
    }
    return channel;
  }

 private:
  static grpc::Status ChannelNotFound(const std::string& id) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("channel '", id, "' not found"));
  }

  FakeCoordinator& f_;
};

FakeCoordinator::FakeCoordinator()
    : monitor_service_(std::make_unique<Monitors>(*this)),
      status_service_(std::make_unique<Statuses>(*this)),
      cluster_service_(std::make_unique<Cluster>(*this)),
      maintenance_service_(std::make_unique<Maintenance>(*this)),
      status_page_service_(std::make_unique<StatusPages>(*this)),
      channel_service_(std::make_unique<Channels>(*this)),
      auth_service_(std::make_unique<Auth>(*this)),
      user_service_(std::make_unique<Users>(*this)),
      audit_service_(std::make_unique<Audit>(*this)) {
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

void FakeCoordinator::AddResult(v1::CheckResult result) {
  absl::MutexLock lock(&mu_);
  // Newest first; the counter keeps results of the same microsecond apart.
  const std::string key = absl::StrFormat("%020d-%06d", INT64_MAX - result.start_time_us(),
                                          static_cast<int>(results_.size()));
  results_[key] = std::move(result);
}

void FakeCoordinator::AddIncident(v1::Incident incident) {
  absl::MutexLock lock(&mu_);
  const std::string key =
      absl::StrFormat("%020d-%s", INT64_MAX - incident.started().seconds(), incident.id());
  incidents_[key] = std::move(incident);
}

void FakeCoordinator::SetUptime(v1::GetUptimeResponse uptime) {
  absl::MutexLock lock(&mu_);
  uptimes_[uptime.monitor_id()] = std::move(uptime);
}

void FakeCoordinator::PublishEvent(const v1::Event& event) {
  absl::MutexLock lock(&mu_);
  const std::string& monitor_id =
      event.has_result() ? event.result().monitor_id() : event.state_change().monitor_id();
  for (auto& [id, watch] : watches_) {
    if (event.has_result() && !watch.request.include_results()) continue;
    const auto& ids = watch.request.monitor_ids();
    if (!ids.empty() && std::find(ids.begin(), ids.end(), monitor_id) == ids.end()) continue;
    watch.queue.push_back(event);
  }
}

void FakeCoordinator::EndWatches(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  for (auto& [id, watch] : watches_) watch.end = status;
}

bool FakeCoordinator::WaitForWatches(int count, absl::Duration timeout) {
  // Test glue on a real server's threads: wall-clock polling is fine here.
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (watches_started_ >= count) return true;
    }
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

int FakeCoordinator::open_watches() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(watches_.size());
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

void FakeCoordinator::AddCredential(const std::string& token, v1::Caller caller) {
  absl::MutexLock lock(&mu_);
  credentials_[token] = std::move(caller);
}

void FakeCoordinator::AddUser(v1::User user, const std::string& password) {
  absl::MutexLock lock(&mu_);
  passwords_[user.id()] = password;
  users_[user.username()] = std::move(user);
}

std::optional<v1::User> FakeCoordinator::FindUser(const std::string& id) {
  absl::MutexLock lock(&mu_);
  for (const auto& [username, user] : users_) {
    if (user.id() == id) return user;
  }
  return std::nullopt;
}

std::optional<std::string> FakeCoordinator::PasswordOf(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = passwords_.find(id);
  if (it == passwords_.end()) return std::nullopt;
  return it->second;
}

void FakeCoordinator::SetTotpCode(const std::string& code) {
  absl::MutexLock lock(&mu_);
  totp_code_ = code;
}

void FakeCoordinator::AddApiKey(v1::ApiKey key) {
  absl::MutexLock lock(&mu_);
  api_keys_[key.id()] = std::move(key);
}

bool FakeCoordinator::HasApiKey(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return api_keys_.count(id) > 0;
}

void FakeCoordinator::AddAuditEvent(v1::AuditEvent event) {
  absl::MutexLock lock(&mu_);
  audit_events_[event.id()] = std::move(event);
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

void FakeCoordinator::AddChannel(v1::Channel channel) {
  absl::MutexLock lock(&mu_);
  channels_[channel.id()] = std::move(channel);
}

std::optional<v1::Channel> FakeCoordinator::FindChannel(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return std::nullopt;
  return it->second;
}

void FakeCoordinator::SetTestChannelResult(v1::TestChannelResponse response) {
  absl::MutexLock lock(&mu_);
  test_channel_result_ = std::move(response);
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
