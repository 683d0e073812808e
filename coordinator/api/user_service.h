// UserService: the gRPC adapter over the AccountRegistry for users and API
// keys. Access: user management needs `admin`; reading oneself, changing
// one's own password and managing one's own keys need any public role (the
// registry checks ownership).
//
// Thread-safety: thread-safe (the registry is).
#ifndef UPTIME_COORDINATOR_API_USER_SERVICE_H_
#define UPTIME_COORDINATOR_API_USER_SERVICE_H_

#include "common/auth.h"
#include "coordinator/accounts/account_registry.h"
#include "uptime/v1/user.grpc.pb.h"

namespace uptime::coordinator {

class UserServiceImpl final : public v1::UserService::CallbackService {
 public:
  // Not owned; both must outlive the service.
  UserServiceImpl(const TokenAuthorizer* auth, AccountRegistry* accounts);

  grpc::ServerUnaryReactor* CreateUser(grpc::CallbackServerContext* ctx,
                                       const v1::CreateUserRequest* req, v1::User* resp) override;
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* ctx,
                                    const v1::GetUserRequest* req, v1::User* resp) override;
  grpc::ServerUnaryReactor* ListUsers(grpc::CallbackServerContext* ctx,
                                      const v1::ListUsersRequest* req,
                                      v1::ListUsersResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateUser(grpc::CallbackServerContext* ctx,
                                       const v1::UpdateUserRequest* req, v1::User* resp) override;
  grpc::ServerUnaryReactor* DeleteUser(grpc::CallbackServerContext* ctx,
                                       const v1::DeleteUserRequest* req,
                                       google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* ChangePassword(grpc::CallbackServerContext* ctx,
                                           const v1::ChangePasswordRequest* req,
                                           google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* CreateApiKey(grpc::CallbackServerContext* ctx,
                                         const v1::CreateApiKeyRequest* req,
                                         v1::CreateApiKeyResponse* resp) override;
  grpc::ServerUnaryReactor* ListApiKeys(grpc::CallbackServerContext* ctx,
                                        const v1::ListApiKeysRequest* req,
                                        v1::ListApiKeysResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeApiKey(grpc::CallbackServerContext* ctx,
                                         const v1::RevokeApiKeyRequest* req,
                                         google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* BeginTotpEnrollment(grpc::CallbackServerContext* ctx,
                                                const v1::BeginTotpEnrollmentRequest* req,
                                                v1::TotpEnrollment* resp) override;
  grpc::ServerUnaryReactor* ConfirmTotpEnrollment(grpc::CallbackServerContext* ctx,
                                                  const v1::ConfirmTotpEnrollmentRequest* req,
                                                  google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* DisableTotp(grpc::CallbackServerContext* ctx,
                                        const v1::DisableTotpRequest* req,
                                        google::protobuf::Empty* resp) override;

 private:
  // The caller, when its credential has `scope`; else the error to answer.
  absl::StatusOr<Actor> Authorize(grpc::CallbackServerContext* ctx, Scope scope) const;

  const TokenAuthorizer* const auth_;
  AccountRegistry* const accounts_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_USER_SERVICE_H_
