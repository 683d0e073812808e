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

TokenAuthorizer::TokenAuthorizer(Tokens tokens, bool allow_all)
    : tokens_(std::move(tokens)), allow_all_(allow_all) {}

grpc::Status TokenAuthorizer::Check(const grpc::ServerContextBase& ctx,
                                    Scope scope) const {
  if (allow_all_) return grpc::Status::OK;
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing 'authorization: Bearer <token>' metadata");
  }
  return CheckHeader(absl::string_view(it->second.data(), it->second.size()), scope);
}

grpc::Status TokenAuthorizer::CheckHeader(absl::string_view authorization,
                                          Scope scope) const {
  if (allow_all_) return grpc::Status::OK;
  constexpr absl::string_view kPrefix = "Bearer ";
  if (!absl::StartsWithIgnoreCase(authorization, kPrefix)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "authorization must be 'Bearer <token>'");
  }
  absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kPrefix.size()));
  // Evaluate every comparison so timing does not tell which token matched.
  const bool is_admin = !tokens_.admin.empty() && ConstantTimeEquals(token, tokens_.admin);
  const bool is_read = !tokens_.read.empty() && ConstantTimeEquals(token, tokens_.read);
  const bool is_agent = !tokens_.agent.empty() && ConstantTimeEquals(token, tokens_.agent);
  if (!is_admin && !is_read && !is_agent) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid token");
  }
  bool granted = false;
  switch (scope) {
    case Scope::kRead:
      granted = is_admin || is_read;
      break;
    case Scope::kAdmin:
      granted = is_admin;
      break;
    case Scope::kAgent:
      granted = is_agent;
      break;
  }
  if (!granted) {
    const char* need = scope == Scope::kAdmin ? "admin" : scope == Scope::kRead ? "read" : "agent";
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("this call needs a token with the '", need, "' scope"));
  }
  return grpc::Status::OK;
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
