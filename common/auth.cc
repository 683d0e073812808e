#include "common/auth.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace uptime {

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  }
  // The volatile read keeps the compiler from turning the loop into an
  // early-exit comparison.
  volatile unsigned char result = diff;
  return result == 0;
}

const char* RoleName(AccessRole role) {
  switch (role) {
    case AccessRole::kViewer:
      return "viewer";
    case AccessRole::kEditor:
      return "editor";
    case AccessRole::kAdmin:
      return "admin";
    case AccessRole::kNone:
      break;
  }
  return "none";
}

TokenAuthorizer::TokenAuthorizer(Tokens tokens, bool allow_all, const CredentialResolver* resolver)
    : tokens_(std::move(tokens)), allow_all_(allow_all), resolver_(resolver) {}

absl::StatusOr<Principal> TokenAuthorizer::Authenticate(const grpc::ServerContextBase& ctx) const {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    if (allow_all_) return AuthenticateHeader("");
    return absl::UnauthenticatedError("missing 'authorization: Bearer <token>' metadata");
  }
  return AuthenticateHeader(absl::string_view(it->second.data(), it->second.size()));
}

absl::StatusOr<Principal> TokenAuthorizer::AuthenticateHeader(
    absl::string_view authorization) const {
  constexpr absl::string_view kPrefix = "Bearer ";
  const bool bearer = absl::StartsWithIgnoreCase(authorization, kPrefix);
  absl::string_view token =
      bearer ? absl::StripAsciiWhitespace(authorization.substr(kPrefix.size())) : "";
  // A user credential is named by its prefix; the resolver looks it up by
  // hash, so its timing says nothing about other credentials.
  if (resolver_ != nullptr && (absl::StartsWith(token, "uk_") || absl::StartsWith(token, "us_"))) {
    absl::StatusOr<Principal> user = resolver_->Resolve(token);
    if (user.ok() || !allow_all_) return user;
  }
  if (!bearer && !allow_all_) {
    return absl::UnauthenticatedError("authorization must be 'Bearer <token>'");
  }
  // Evaluate every comparison so timing does not tell which token matched.
  const bool is_admin = !tokens_.admin.empty() && ConstantTimeEquals(token, tokens_.admin);
  const bool is_read = !tokens_.read.empty() && ConstantTimeEquals(token, tokens_.read);
  const bool is_agent = !tokens_.agent.empty() && ConstantTimeEquals(token, tokens_.agent);
  Principal p;
  if (is_admin) {
    p = {.role = AccessRole::kAdmin, .kind = CredentialKind::kStaticToken, .name = "admin-token"};
  } else if (is_read) {
    p = {.role = AccessRole::kViewer, .kind = CredentialKind::kStaticToken, .name = "read-token"};
  } else if (is_agent) {
    p = {.role = AccessRole::kNone, .kind = CredentialKind::kAgentToken, .name = "agent-token"};
  } else if (allow_all_) {
    // --insecure-no-auth: everyone may do everything, agents included.
    p = {.role = AccessRole::kAdmin, .kind = CredentialKind::kNone, .name = "anonymous"};
  } else {
    return absl::UnauthenticatedError("invalid token");
  }
  return p;
}

grpc::Status TokenAuthorizer::Permit(const Principal& principal, Scope scope) {
  bool granted = false;
  const char* need = "agent";
  switch (scope) {
    case Scope::kRead:
      granted = principal.role >= AccessRole::kViewer;
      need = "viewer";
      break;
    case Scope::kEdit:
      granted = principal.role >= AccessRole::kEditor;
      need = "editor";
      break;
    case Scope::kAdmin:
      granted = principal.role >= AccessRole::kAdmin;
      need = "admin";
      break;
    case Scope::kAgent:
      granted = principal.kind == CredentialKind::kAgentToken ||
                principal.kind == CredentialKind::kNone;
      break;
  }
  if (granted) return grpc::Status::OK;
  if (scope == Scope::kAgent) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "this call needs the agent token");
  }
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      absl::StrCat("this call needs the '", need, "' role or higher; ",
                                   principal.name, " has '", RoleName(principal.role), "'"));
}

absl::StatusOr<Principal> TokenAuthorizer::Authorize(const grpc::ServerContextBase& ctx,
                                                     Scope scope) const {
  absl::StatusOr<Principal> p = Authenticate(ctx);
  if (!p.ok()) return p.status();
  if (grpc::Status s = Permit(*p, scope); !s.ok()) {
    return absl::PermissionDeniedError(s.error_message());
  }
  return p;
}

grpc::Status TokenAuthorizer::Check(const grpc::ServerContextBase& ctx, Scope scope) const {
  absl::StatusOr<Principal> p = Authenticate(ctx);
  if (!p.ok()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(p.status().message()));
  return Permit(*p, scope);
}

grpc::Status TokenAuthorizer::CheckHeader(absl::string_view authorization, Scope scope) const {
  absl::StatusOr<Principal> p = AuthenticateHeader(authorization);
  if (!p.ok()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(p.status().message()));
  return Permit(*p, scope);
}

void AttachToken(grpc::ClientContext* ctx, absl::string_view token) {
  if (token.empty()) return;
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

absl::StatusOr<std::string> ResolveToken(absl::string_view flag_name,
                                         const std::string& inline_value,
                                         const std::string& file_path) {
  if (!inline_value.empty() && !file_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag_name, " and --", flag_name, "-file are mutually exclusive"));
  }
  if (file_path.empty()) return inline_value;
  std::ifstream in(file_path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag_name, "-file: cannot read ", file_path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token(absl::StripTrailingAsciiWhitespace(ss.str()));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag_name, "-file: ", file_path, " is empty"));
  }
  return token;
}

}  // namespace uptime
