#include "coordinator/api/auth_service.h"

#include "coordinator/api/monitor_service.h"

namespace uptime::coordinator {

AuthServiceImpl::AuthServiceImpl(const TokenAuthorizer* auth) : auth_(auth) {}

grpc::ServerUnaryReactor* AuthServiceImpl::GetCaller(grpc::CallbackServerContext* ctx,
                                                     const v1::GetCallerRequest*,
                                                     v1::Caller* resp) {
  // The strongest scope first: the admin scope implies read, so asking in
  // the other order would call every admin a viewer.
  if (auth_->Check(*ctx, Scope::kAdmin).ok()) {
    resp->set_role(v1::ROLE_ADMIN);
    resp->set_name(auth_->allow_all() ? "anonymous" : "admin-token");
    return FinishWith(ctx, grpc::Status::OK);
  }
  grpc::Status read = auth_->Check(*ctx, Scope::kRead);
  if (!read.ok()) return FinishWith(ctx, read);
  resp->set_role(v1::ROLE_VIEWER);
  resp->set_name("read-token");
  return FinishWith(ctx, grpc::Status::OK);
}

}  // namespace uptime::coordinator
