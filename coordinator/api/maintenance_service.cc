#include "coordinator/api/maintenance_service.h"

#include <utility>

#include "common/grpc_status.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/api/monitor_service.h"

namespace uptime::coordinator {

MaintenanceServiceImpl::MaintenanceServiceImpl(const TokenAuthorizer* auth, Clock* clock,
                                               MaintenanceRegistry* registry)
    : auth_(auth), clock_(clock), registry_(registry) {}

grpc::ServerUnaryReactor* MaintenanceServiceImpl::CreateMaintenanceWindow(
    grpc::CallbackServerContext* ctx, const v1::CreateMaintenanceWindowRequest* req,
    v1::MaintenanceWindow* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (!req->has_window()) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "window: is required"));
  }
  absl::StatusOr<v1::MaintenanceWindow> created = registry_->Create(req->window(), *who);
  if (!created.ok()) return FinishWith(ctx, ToGrpcStatus(created.status()));
  *resp = *std::move(created);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MaintenanceServiceImpl::GetMaintenanceWindow(
    grpc::CallbackServerContext* ctx, const v1::GetMaintenanceWindowRequest* req,
    v1::MaintenanceWindow* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<v1::MaintenanceWindow> window = registry_->Get(req->id());
  if (!window.ok()) return FinishWith(ctx, ToGrpcStatus(window.status()));
  *resp = *std::move(window);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MaintenanceServiceImpl::ListMaintenanceWindows(
    grpc::CallbackServerContext* ctx, const v1::ListMaintenanceWindowsRequest* req,
    v1::ListMaintenanceWindowsResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  absl::StatusOr<LabelSelector> selector =
      LabelSelector::Parse("label_selector", req->label_selector());
  if (!selector.ok()) return FinishWith(ctx, ToGrpcStatus(selector.status()));
  absl::StatusOr<MaintenancePage> page =
      registry_->List(*selector, *page_size, req->page_token(), req->active_only());
  if (!page.ok()) return FinishWith(ctx, ToGrpcStatus(page.status()));
  for (v1::MaintenanceWindow& w : page->windows) *resp->add_windows() = std::move(w);
  resp->set_next_page_token(page->next_page_token);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MaintenanceServiceImpl::UpdateMaintenanceWindow(
    grpc::CallbackServerContext* ctx, const v1::UpdateMaintenanceWindowRequest* req,
    v1::MaintenanceWindow* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->window().id(), "window.id"); !s.ok()) {
    return FinishWith(ctx, s);
  }
  absl::StatusOr<v1::MaintenanceWindow> updated =
      registry_->Update(req->window(), req->update_mask(), *who);
  if (!updated.ok()) return FinishWith(ctx, ToGrpcStatus(updated.status()));
  *resp = *std::move(updated);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MaintenanceServiceImpl::DeleteMaintenanceWindow(
    grpc::CallbackServerContext* ctx, const v1::DeleteMaintenanceWindowRequest* req,
    google::protobuf::Empty*) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  return FinishWith(ctx, ToGrpcStatus(registry_->Delete(req->id(), *who)));
}

}  // namespace uptime::coordinator
