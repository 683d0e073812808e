#include "coordinator/api/monitor_service.h"

#include "common/grpc_status.h"
#include "common/labels.h"
#include "coordinator/accounts/account_registry.h"
#include "coordinator/api/auth_service.h"
#include "coordinator/catalog/monitor_validation.h"
#include "google/protobuf/util/field_mask_util.h"

namespace uptime::coordinator {
grpc::Status RequireId(const std::string& id, const char* field) {
  if (id.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(field) + ": is required");
  }
  return grpc::Status::OK;
}

absl::StatusOr<v1::AuditEvent> AuthorizeChange(const TokenAuthorizer& auth, Clock& clock,
                                               grpc::CallbackServerContext& ctx, Scope scope) {
  absl::StatusOr<Principal> p = auth.Authorize(ctx, scope);
  if (!p.ok()) return p.status();
  return AuditTemplate(Actor{.principal = *std::move(p), .client_address = ClientAddressOf(ctx)},
                       clock.Now());
}

grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* ctx, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

MonitorServiceImpl::MonitorServiceImpl(const TokenAuthorizer* auth, Clock* clock, Catalog* catalog,
                                       std::function<bool(const std::string&)> channel_exists)
    : auth_(auth), clock_(clock), catalog_(catalog), channel_exists_(std::move(channel_exists)) {}

grpc::ServerUnaryReactor* MonitorServiceImpl::CreateMonitor(grpc::CallbackServerContext* ctx,
                                                            const v1::CreateMonitorRequest* req,
                                                            v1::Monitor* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (!req->has_monitor()) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "monitor: is required"));
  }
  v1::Monitor monitor = req->monitor();
  monitor.clear_id();
  monitor.clear_create_time();
  monitor.clear_update_time();
  ApplyMonitorDefaults(&monitor);
  if (absl::Status s = ValidateMonitor(monitor, "monitor", channel_exists_); !s.ok()) {
    return FinishWith(ctx, ToGrpcStatus(s));
  }
  absl::StatusOr<MonitorPtr> created = catalog_->Create(std::move(monitor), *who);
  if (!created.ok()) return FinishWith(ctx, ToGrpcStatus(created.status()));
  *resp = **created;
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MonitorServiceImpl::GetMonitor(grpc::CallbackServerContext* ctx,
                                                         const v1::GetMonitorRequest* req,
                                                         v1::Monitor* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<MonitorPtr> m = catalog_->Get(req->id());
  if (!m.ok()) return FinishWith(ctx, ToGrpcStatus(m.status()));
  *resp = **m;
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MonitorServiceImpl::ListMonitors(grpc::CallbackServerContext* ctx,
                                                           const v1::ListMonitorsRequest* req,
                                                           v1::ListMonitorsResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse("label_selector", req->label_selector());
  if (!selector.ok()) return FinishWith(ctx, ToGrpcStatus(selector.status()));
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  absl::StatusOr<MonitorPage> page = catalog_->List(*selector, *page_size, req->page_token());
  if (!page.ok()) return FinishWith(ctx, ToGrpcStatus(page.status()));
  for (const MonitorPtr& m : page->monitors) *resp->add_monitors() = *m;
  resp->set_next_page_token(page->next_page_token);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MonitorServiceImpl::UpdateMonitor(grpc::CallbackServerContext* ctx,
                                                            const v1::UpdateMonitorRequest* req,
                                                            v1::Monitor* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->monitor().id(), "monitor.id"); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<MonitorPtr> current = catalog_->Get(req->monitor().id());
  if (!current.ok()) return FinishWith(ctx, ToGrpcStatus(current.status()));
  v1::Monitor updated = **current;
  if (req->update_mask().paths_size() == 0) {
    // No mask: every mutable field takes the request's value.
    updated = req->monitor();
    updated.set_paused((*current)->paused());
  } else {
    using google::protobuf::util::FieldMaskUtil;
    for (const std::string& path : req->update_mask().paths()) {
      if (!FieldMaskUtil::GetFieldDescriptors(v1::Monitor::descriptor(), path, nullptr)) {
        return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                            "update_mask: unknown field '" + path + "'"));
      }
      if (path == "id" || path == "create_time" || path == "update_time" || path == "paused") {
        return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                            "update_mask: '" + path + "' cannot be updated"));
      }
    }
    FieldMaskUtil::MergeOptions options;
    options.set_replace_message_fields(true);
    options.set_replace_repeated_fields(true);
    FieldMaskUtil::MergeMessageTo(req->monitor(), req->update_mask(), options, &updated);
  }
  ApplyMonitorDefaults(&updated);
  if (absl::Status s = ValidateMonitor(updated, "monitor", channel_exists_); !s.ok()) {
    return FinishWith(ctx, ToGrpcStatus(s));
  }
  absl::StatusOr<MonitorPtr> replaced = catalog_->Replace(std::move(updated), *who);
  if (!replaced.ok()) return FinishWith(ctx, ToGrpcStatus(replaced.status()));
  *resp = **replaced;
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* MonitorServiceImpl::DeleteMonitor(grpc::CallbackServerContext* ctx,
                                                            const v1::DeleteMonitorRequest* req,
                                                            google::protobuf::Empty*) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  return FinishWith(ctx, ToGrpcStatus(catalog_->Delete(req->id(), *who)));
}

grpc::Status MonitorServiceImpl::SetPaused(grpc::CallbackServerContext* ctx, const std::string& id,
                                           bool paused, v1::Monitor* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kEdit);
  if (!who.ok()) return ToGrpcStatus(who.status());
  if (grpc::Status s = RequireId(id, "id"); !s.ok()) return s;
  absl::StatusOr<MonitorPtr> m = catalog_->SetPaused(id, paused, *who);
  if (!m.ok()) return ToGrpcStatus(m.status());
  *resp = **m;
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* MonitorServiceImpl::PauseMonitor(grpc::CallbackServerContext* ctx,
                                                           const v1::PauseMonitorRequest* req,
                                                           v1::Monitor* resp) {
  return FinishWith(ctx, SetPaused(ctx, req->id(), true, resp));
}

grpc::ServerUnaryReactor* MonitorServiceImpl::ResumeMonitor(grpc::CallbackServerContext* ctx,
                                                            const v1::ResumeMonitorRequest* req,
                                                            v1::Monitor* resp) {
  return FinishWith(ctx, SetPaused(ctx, req->id(), false, resp));
}

}  // namespace uptime::coordinator
