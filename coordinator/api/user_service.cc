#include "coordinator/api/user_service.h"

#include <utility>

#include "common/grpc_status.h"
#include "coordinator/api/auth_service.h"
#include "coordinator/api/monitor_service.h"
#include "coordinator/catalog/catalog.h"

namespace uptime::coordinator {
namespace {

template <typename T>
grpc::ServerUnaryReactor* FinishWithValue(grpc::CallbackServerContext* ctx,
                                          absl::StatusOr<T> value, T* resp) {
  if (!value.ok()) return FinishWith(ctx, ToGrpcStatus(value.status()));
  *resp = *std::move(value);
  return FinishWith(ctx, grpc::Status::OK);
}

}  // namespace

UserServiceImpl::UserServiceImpl(const TokenAuthorizer* auth, AccountRegistry* accounts)
    : auth_(auth), accounts_(accounts) {}

absl::StatusOr<Actor> UserServiceImpl::Authorize(grpc::CallbackServerContext* ctx,
                                                 Scope scope) const {
  absl::StatusOr<Actor> actor = ActorOf(*auth_, *ctx);
  if (!actor.ok()) return actor.status();
  if (grpc::Status s = TokenAuthorizer::Permit(actor->principal, scope); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return actor;
}

grpc::ServerUnaryReactor* UserServiceImpl::CreateUser(grpc::CallbackServerContext* ctx,
                                                      const v1::CreateUserRequest* req,
                                                      v1::User* resp) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kAdmin);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  if (!req->has_user()) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "user: is required"));
  }
  return FinishWithValue(ctx, accounts_->CreateUser(*actor, req->user()), resp);
}

grpc::ServerUnaryReactor* UserServiceImpl::GetUser(grpc::CallbackServerContext* ctx,
                                                   const v1::GetUserRequest* req, v1::User* resp) {
  // Anyone may read themselves; the registry asks for admin otherwise.
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  return FinishWithValue(ctx, accounts_->GetUser(*actor, req->id()), resp);
}

grpc::ServerUnaryReactor* UserServiceImpl::ListUsers(grpc::CallbackServerContext* ctx,
                                                     const v1::ListUsersRequest* req,
                                                     v1::ListUsersResponse* resp) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kAdmin);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  absl::StatusOr<UserList> list = accounts_->ListUsers(*page_size, req->page_token());
  if (!list.ok()) return FinishWith(ctx, ToGrpcStatus(list.status()));
  for (v1::User& u : list->users) *resp->add_users() = std::move(u);
  resp->set_next_page_token(list->next_page_token);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* UserServiceImpl::UpdateUser(grpc::CallbackServerContext* ctx,
                                                      const v1::UpdateUserRequest* req,
                                                      v1::User* resp) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kAdmin);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  if (grpc::Status s = RequireId(req->user().id(), "user.id"); !s.ok()) return FinishWith(ctx, s);
  return FinishWithValue(ctx, accounts_->UpdateUser(*actor, req->user(), req->update_mask()), resp);
}

grpc::ServerUnaryReactor* UserServiceImpl::DeleteUser(grpc::CallbackServerContext* ctx,
                                                      const v1::DeleteUserRequest* req,
                                                      google::protobuf::Empty*) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kAdmin);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  return FinishWith(ctx, ToGrpcStatus(accounts_->DeleteUser(*actor, req->id())));
}

grpc::ServerUnaryReactor* UserServiceImpl::ChangePassword(grpc::CallbackServerContext* ctx,
                                                          const v1::ChangePasswordRequest* req,
                                                          google::protobuf::Empty*) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  return FinishWith(ctx, ToGrpcStatus(accounts_->ChangePassword(*actor, req->current_password(),
                                                                req->new_password())));
}

grpc::ServerUnaryReactor* UserServiceImpl::CreateApiKey(grpc::CallbackServerContext* ctx,
                                                        const v1::CreateApiKeyRequest* req,
                                                        v1::CreateApiKeyResponse* resp) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  return FinishWithValue(ctx, accounts_->CreateApiKey(*actor, req->user_id(), req->api_key()),
                         resp);
}

grpc::ServerUnaryReactor* UserServiceImpl::ListApiKeys(grpc::CallbackServerContext* ctx,
                                                       const v1::ListApiKeysRequest* req,
                                                       v1::ListApiKeysResponse* resp) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  absl::StatusOr<std::vector<v1::ApiKey>> keys = accounts_->ListApiKeys(*actor, req->user_id());
  if (!keys.ok()) return FinishWith(ctx, ToGrpcStatus(keys.status()));
  for (v1::ApiKey& k : *keys) *resp->add_api_keys() = std::move(k);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* UserServiceImpl::RevokeApiKey(grpc::CallbackServerContext* ctx,
                                                        const v1::RevokeApiKeyRequest* req,
                                                        google::protobuf::Empty*) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  return FinishWith(ctx, ToGrpcStatus(accounts_->RevokeApiKey(*actor, req->id())));
}

grpc::ServerUnaryReactor* UserServiceImpl::BeginTotpEnrollment(
    grpc::CallbackServerContext* ctx, const v1::BeginTotpEnrollmentRequest*,
    v1::TotpEnrollment* resp) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  return FinishWithValue(ctx, accounts_->BeginTotpEnrollment(*actor), resp);
}

grpc::ServerUnaryReactor* UserServiceImpl::ConfirmTotpEnrollment(
    grpc::CallbackServerContext* ctx, const v1::ConfirmTotpEnrollmentRequest* req,
    google::protobuf::Empty*) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  return FinishWith(ctx, ToGrpcStatus(accounts_->ConfirmTotpEnrollment(*actor, req->code())));
}

grpc::ServerUnaryReactor* UserServiceImpl::DisableTotp(grpc::CallbackServerContext* ctx,
                                                       const v1::DisableTotpRequest* req,
                                                       google::protobuf::Empty*) {
  absl::StatusOr<Actor> actor = Authorize(ctx, Scope::kRead);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  return FinishWith(
      ctx, ToGrpcStatus(accounts_->DisableTotp(*actor, req->user_id(), req->password())));
}

}  // namespace uptime::coordinator
