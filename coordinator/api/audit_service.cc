#include "coordinator/api/audit_service.h"

#include <utility>

#include "common/grpc_status.h"
#include "coordinator/api/monitor_service.h"
#include "coordinator/catalog/catalog.h"

namespace uptime::coordinator {

AuditServiceImpl::AuditServiceImpl(const TokenAuthorizer* auth, AccountRegistry* accounts)
    : auth_(auth), accounts_(accounts) {}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAuditEvents(grpc::CallbackServerContext* ctx,
                                                            const v1::ListAuditEventsRequest* req,
                                                            v1::ListAuditEventsResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kAdmin); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  for (const std::string* filter : {&req->resource_type(), &req->resource_id(), &req->actor()}) {
    if (filter->size() > 200) {
      return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                          "filters must be at most 200 characters"));
    }
  }
  absl::StatusOr<store::AuditPage> page = accounts_->ListAudit({.page_size = *page_size,
                                                                .page_token = req->page_token(),
                                                                .resource_type = req->resource_type(),
                                                                .resource_id = req->resource_id(),
                                                                .actor = req->actor()});
  if (!page.ok()) return FinishWith(ctx, ToGrpcStatus(page.status()));
  for (v1::AuditEvent& e : page->events) *resp->add_events() = std::move(e);
  resp->set_next_page_token(page->next_page_token);
  return FinishWith(ctx, grpc::Status::OK);
}

}  // namespace uptime::coordinator
