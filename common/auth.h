// Bearer-credential authorization for every gRPC API.
//
// Clients send `authorization: Bearer <credential>` metadata. A credential
// is one of the static tokens of the flags (admin, read, agent), or, when a
// CredentialResolver is given, a user's API key ("uk_...") or session
// ("us_..."). Each resolves to a Principal with a role; roles are ordered
// (viewer < editor < admin) and a scope needs a minimum role:
//   kRead: viewer; kEdit: editor (monitors, maintenance, status pages);
//   kAdmin: admin (channels, users, keys, audit); kAgent: the agent token.
// Every handler calls Check() first; the scope a method needs is stated where
// the handler is, so a reader of a service sees its access rule, and this
// class is the one place that decides whether a principal has it.
//
// Example:
//   TokenAuthorizer auth({.admin = "a", .read = "r", .agent = "g"});
//   if (grpc::Status s = auth.Check(*ctx, Scope::kAdmin); !s.ok()) return s;
#ifndef UPTIME_COMMON_AUTH_H_
#define UPTIME_COMMON_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace uptime {

enum class Scope { kRead, kEdit, kAdmin, kAgent };

// Same numbers as v1::Role, so conversions are casts.
enum class AccessRole { kNone = 0, kViewer = 1, kEditor = 2, kAdmin = 3 };

enum class CredentialKind { kNone, kStaticToken, kAgentToken, kApiKey, kSession };

// Who a call is made by.
struct Principal {
  AccessRole role = AccessRole::kNone;
  CredentialKind kind = CredentialKind::kNone;
  // "admin-token", "read-token", "agent-token", "anonymous" (no auth mode),
  // or the user's username.
  std::string name = {};
  std::string user_id = {};     // API keys and sessions
  std::string api_key_id = {};  // API keys
  std::string session_id = {};  // sessions
  // Sessions: when the session ends if idle, and at the latest.
  absl::Time idle_expire_time = absl::InfiniteFuture();
  absl::Time expire_time = absl::InfiniteFuture();
  bool must_change_password = false;
};

// Resolves user credentials (API keys, sessions). Implemented by the
// coordinator's account registry from memory: no database round trip.
class CredentialResolver {
 public:
  virtual ~CredentialResolver() = default;
  // UNAUTHENTICATED for an unknown, expired or revoked credential or a
  // disabled user. Never says which.
  virtual absl::StatusOr<Principal> Resolve(absl::string_view credential) const = 0;
};

struct Tokens {
  std::string admin;
  std::string read;
  std::string agent;
};

// Immutable after construction; thread-safe.
class TokenAuthorizer {
 public:
  // With `allow_all`, every call passes (the `--insecure-no-auth` mode).
  // `resolver` (optional, not owned) answers for "uk_" and "us_" credentials.
  explicit TokenAuthorizer(Tokens tokens, bool allow_all = false,
                           const CredentialResolver* resolver = nullptr);

  // The principal the call's credential names. UNAUTHENTICATED when it is
  // missing or unknown. With allow_all, an anonymous admin.
  absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& ctx) const;
  // The same, on a raw `authorization` header value.
  absl::StatusOr<Principal> AuthenticateHeader(absl::string_view authorization) const;

  // Authenticate() and Permit() in one: the principal when it has `scope`;
  // UNAUTHENTICATED or PERMISSION_DENIED otherwise.
  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& ctx, Scope scope) const;

  // OK when `principal` has `scope`; PERMISSION_DENIED naming the role
  // needed otherwise.
  static grpc::Status Permit(const Principal& principal, Scope scope);

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
  const CredentialResolver* const resolver_;
};

// Compares in time independent of where the strings differ (length leaks).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// "viewer", "editor", "admin", "none".
const char* RoleName(AccessRole role);

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
