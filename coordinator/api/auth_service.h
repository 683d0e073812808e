// AuthService: tells a caller which role its bearer token grants, so the
// dashboard can hide what the caller may not do and the gateway can check
// reads locally from a cached role instead of asking per request.
#ifndef UPTIME_COORDINATOR_API_AUTH_SERVICE_H_
#define UPTIME_COORDINATOR_API_AUTH_SERVICE_H_

#include "common/auth.h"
#include "uptime/v1/auth.grpc.pb.h"

namespace uptime::coordinator {

// Stateless over the authorizer; thread-safe. `auth` must outlive it.
class AuthServiceImpl final : public v1::AuthService::CallbackService {
 public:
  explicit AuthServiceImpl(const TokenAuthorizer* auth);

  // Any valid token: the admin token is ROLE_ADMIN, the read token
  // ROLE_VIEWER (the agent token grants no public role: PERMISSION_DENIED).
  // Without auth (--insecure-no-auth) everyone is an admin, as for every
  // other call.
  grpc::ServerUnaryReactor* GetCaller(grpc::CallbackServerContext* ctx,
                                      const v1::GetCallerRequest* req,
                                      v1::Caller* resp) override;

 private:
  const TokenAuthorizer* const auth_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_AUTH_SERVICE_H_
