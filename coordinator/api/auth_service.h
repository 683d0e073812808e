// AuthService: tells a caller which role its credential grants (so the
// dashboard can hide what the caller may not do and the gateway can check
// reads locally from a cached role), and signs users in and out.
#ifndef UPTIME_COORDINATOR_API_AUTH_SERVICE_H_
#define UPTIME_COORDINATOR_API_AUTH_SERVICE_H_

#include "common/auth.h"
#include "coordinator/accounts/account_registry.h"
#include "uptime/v1/auth.grpc.pb.h"

namespace uptime::coordinator {

// The caller's address as people write it: "10.0.0.7" or "2001:db8::1"
// (gRPC's "ipv4:10.0.0.7:51234" without scheme and port).
std::string PeerAddress(const grpc::ServerContextBase& ctx);

// Where a call comes from, for the audit log: the peer's address, or, when
// the call names the person's address (`x-uptime-client-address`, set by
// the gateway), "<that address> via <peer>". The peer is always part of it,
// so a client claiming an address cannot hide where it really is.
std::string ClientAddressOf(const grpc::ServerContextBase& ctx);

// The audit log's view of who calls: the principal and ClientAddressOf().
// UNAUTHENTICATED (as a gRPC status) when the credential is not valid.
absl::StatusOr<Actor> ActorOf(const TokenAuthorizer& auth, grpc::CallbackServerContext& ctx);

// Thread-safe. `auth` and `accounts` must outlive it.
class AuthServiceImpl final : public v1::AuthService::CallbackService {
 public:
  AuthServiceImpl(const TokenAuthorizer* auth, AccountRegistry* accounts);

  // Any valid credential of a public role (the agent token grants none:
  // PERMISSION_DENIED). Without auth (--insecure-no-auth) everyone is an
  // anonymous admin, as for every other call.
  grpc::ServerUnaryReactor* GetCaller(grpc::CallbackServerContext* ctx,
                                      const v1::GetCallerRequest* req,
                                      v1::Caller* resp) override;
  // No credential needed; throttled per user and per client address.
  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* req,
                                  v1::LoginResponse* resp) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* ctx, const v1::LogoutRequest* req,
                                   google::protobuf::Empty* resp) override;

 private:
  const TokenAuthorizer* const auth_;
  AccountRegistry* const accounts_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_AUTH_SERVICE_H_
