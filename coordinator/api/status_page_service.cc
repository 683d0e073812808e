#include "coordinator/api/status_page_service.h"

#include <utility>

#include "common/grpc_status.h"
#include "coordinator/api/monitor_service.h"
#include "coordinator/catalog/catalog.h"

namespace uptime::coordinator {
namespace {

// Answers the call with `page` or the error that replaced it.
grpc::ServerUnaryReactor* FinishWithPage(grpc::CallbackServerContext* ctx,
                                         absl::StatusOr<v1::StatusPage> page,
                                         v1::StatusPage* resp) {
  if (!page.ok()) return FinishWith(ctx, ToGrpcStatus(page.status()));
  *resp = *std::move(page);
  return FinishWith(ctx, grpc::Status::OK);
}

}  // namespace

StatusPageServiceImpl::StatusPageServiceImpl(const TokenAuthorizer* auth, Clock* clock,
                                             StatusPageRegistry* registry)
    : auth_(auth), clock_(clock), registry_(registry) {}

grpc::ServerUnaryReactor* StatusPageServiceImpl::CreateStatusPage(
    grpc::CallbackServerContext* ctx, const v1::CreateStatusPageRequest* req,
    v1::StatusPage* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (!req->has_status_page()) {
    return FinishWith(
        ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "status_page: is required"));
  }
  return FinishWithPage(ctx, registry_->Create(req->status_page(), *who), resp);
}

grpc::ServerUnaryReactor* StatusPageServiceImpl::GetStatusPage(
    grpc::CallbackServerContext* ctx, const v1::GetStatusPageRequest* req, v1::StatusPage* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  if (req->id().empty() == req->slug().empty()) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "id: set exactly one of id and slug"));
  }
  return FinishWithPage(
      ctx, req->id().empty() ? registry_->GetBySlug(req->slug()) : registry_->Get(req->id()),
      resp);
}

grpc::ServerUnaryReactor* StatusPageServiceImpl::ListStatusPages(
    grpc::CallbackServerContext* ctx, const v1::ListStatusPagesRequest* req,
    v1::ListStatusPagesResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  absl::StatusOr<LabelSelector> selector =
      LabelSelector::Parse("label_selector", req->label_selector());
  if (!selector.ok()) return FinishWith(ctx, ToGrpcStatus(selector.status()));
  absl::StatusOr<StatusPageList> list =
      registry_->List(*selector, *page_size, req->page_token());
  if (!list.ok()) return FinishWith(ctx, ToGrpcStatus(list.status()));
  for (v1::StatusPage& page : list->pages) *resp->add_status_pages() = std::move(page);
  resp->set_next_page_token(list->next_page_token);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* StatusPageServiceImpl::UpdateStatusPage(
    grpc::CallbackServerContext* ctx, const v1::UpdateStatusPageRequest* req,
    v1::StatusPage* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->status_page().id(), "status_page.id"); !s.ok()) {
    return FinishWith(ctx, s);
  }
  return FinishWithPage(ctx, registry_->Update(req->status_page(), req->update_mask(), *who), resp);
}

grpc::ServerUnaryReactor* StatusPageServiceImpl::DeleteStatusPage(
    grpc::CallbackServerContext* ctx, const v1::DeleteStatusPageRequest* req,
    google::protobuf::Empty*) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  return FinishWith(ctx, ToGrpcStatus(registry_->Delete(req->id(), *who)));
}

}  // namespace uptime::coordinator
