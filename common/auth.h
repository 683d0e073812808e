// Bearer-token authorization for every gRPC API.
//
// Clients send `authorization: Bearer <token>` metadata. Scopes: `read` and
// `admin` for the public API (admin implies read), `agent` for AgentService.
// Every handler calls Check() first; the scope a method needs is stated where
// the handler is, so a reader of a service sees its access rule.
//
// Example:
//   TokenAuthorizer auth({.admin = "a", .read = "r", .agent = "g"});
//   if (grpc::Status s = auth.Check(*ctx, Scope::kAdmin); !s.ok()) return s;
#ifndef UPTIME_COMMON_AUTH_H_
#define UPTIME_COMMON_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace uptime {

enum class Scope { kRead, kAdmin, kAgent };

struct Tokens {
  std::string admin;
  std::string read;
  std::string agent;
};

// Immutable after construction; thread-safe.
class TokenAuthorizer {
 public:
  // With `allow_all`, every call passes (the `--insecure-no-auth` mode).
  explicit TokenAuthorizer(Tokens tokens, bool allow_all = false);

  // OK when the call's bearer token grants `scope`; UNAUTHENTICATED when the
  // token is missing or unknown; PERMISSION_DENIED when it is a valid token of
  // a scope that does not grant `scope`. Never reveals which tokens exist.
  grpc::Status Check(const grpc::ServerContextBase& ctx, Scope scope) const;

  // The same, on a raw `authorization` header value (for the HTTP gateway).
  grpc::Status CheckHeader(absl::string_view authorization, Scope scope) const;

  bool allow_all() const { return allow_all_; }

 private:
  const Tokens tokens_;
  const bool allow_all_;
};

// Compares in time independent of where the strings differ (length leaks).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Adds `authorization: Bearer <token>` to a client call (no-op if empty).
void AttachToken(grpc::ClientContext* ctx, absl::string_view token);

// Resolves a token given either inline or as a file (`--x-token-file`);
// trailing whitespace in the file is dropped. Both set is an error naming
// `flag_name`.
absl::StatusOr<std::string> ResolveToken(absl::string_view flag_name,
                                         const std::string& inline_value,
                                         const std::string& file_path);

}  // namespace uptime

#endif  // UPTIME_COMMON_AUTH_H_
