#include "coordinator/api/auth_service.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/grpc_status.h"
#include "coordinator/api/monitor_service.h"

namespace uptime::coordinator {

std::string PeerAddress(const grpc::ServerContextBase& ctx) {
  std::string peer = ctx.peer();
  absl::string_view p = peer;
  if (absl::ConsumePrefix(&p, "ipv4:")) {
    return std::string(p.substr(0, p.rfind(':')));
  }
  if (absl::ConsumePrefix(&p, "ipv6:")) {
    // "[::1]:port", or percent-encoded brackets in some gRPC versions.
    std::string s = absl::StrReplaceAll(p, {{"%5B", "["}, {"%5D", "]"}});
    const size_t open = s.find('['), close = s.find(']');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      return s.substr(open + 1, close - open - 1);
    }
    return s;
  }
  return peer;
}

std::string ClientAddressOf(const grpc::ServerContextBase& ctx) {
  const std::string peer = PeerAddress(ctx);
  const auto& md = ctx.client_metadata();
  auto it = md.find("x-uptime-client-address");
  if (it == md.end()) return peer;
  absl::string_view claimed(it->second.data(), it->second.size());
  // Bounded and printable: it is the caller's word, stored as text.
  if (claimed.empty() || claimed.size() > 64 ||
      !absl::c_all_of(claimed, [](char c) { return absl::ascii_isgraph(static_cast<unsigned char>(c)); })) {
    return peer;
  }
  if (claimed == peer) return peer;
  return absl::StrCat(claimed, " via ", peer);
}

absl::StatusOr<Actor> ActorOf(const TokenAuthorizer& auth, grpc::CallbackServerContext& ctx) {
  absl::StatusOr<Principal> principal = auth.Authenticate(ctx);
  if (!principal.ok()) return principal.status();
  return Actor{.principal = *std::move(principal), .client_address = ClientAddressOf(ctx)};
}

AuthServiceImpl::AuthServiceImpl(const TokenAuthorizer* auth, AccountRegistry* accounts)
    : auth_(auth), accounts_(accounts) {}

grpc::ServerUnaryReactor* AuthServiceImpl::GetCaller(grpc::CallbackServerContext* ctx,
                                                     const v1::GetCallerRequest*,
                                                     v1::Caller* resp) {
  absl::StatusOr<Principal> principal = auth_->Authenticate(*ctx);
  if (!principal.ok()) return FinishWith(ctx, ToGrpcStatus(principal.status()));
  if (grpc::Status s = TokenAuthorizer::Permit(*principal, Scope::kRead); !s.ok()) {
    return FinishWith(ctx, s);
  }
  *resp = ToCaller(*principal);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AuthServiceImpl::Login(grpc::CallbackServerContext* ctx,
                                                 const v1::LoginRequest* req,
                                                 v1::LoginResponse* resp) {
  // The gateway names the person's address; a direct gRPC caller is its peer.
  const std::string address = req->client_address().empty() ? PeerAddress(*ctx) : req->client_address();
  if (address.size() > 200) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "client_address: must be at most 200 characters"));
  }
  absl::StatusOr<LoginResult> result = accounts_->Login(*req, address);
  if (!result.ok()) return FinishWith(ctx, ToGrpcStatus(result.status()));
  resp->set_session_token(result->session_token);
  *resp->mutable_caller() = ToCaller(result->principal);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AuthServiceImpl::Logout(grpc::CallbackServerContext* ctx,
                                                  const v1::LogoutRequest*,
                                                  google::protobuf::Empty*) {
  absl::StatusOr<Actor> actor = ActorOf(*auth_, *ctx);
  if (!actor.ok()) return FinishWith(ctx, ToGrpcStatus(actor.status()));
  return FinishWith(ctx, ToGrpcStatus(accounts_->Logout(*actor)));
}

}  // namespace uptime::coordinator
