// Helpers shared by the files that define AccountRegistry
// (account_registry*.cc): millisecond times for the atomics, case folding
// for usernames, role validation, audit JSON and the admin-only refusal.
// Internal to coordinator/accounts; not part of the registry's interface.
#ifndef UPTIME_COORDINATOR_ACCOUNTS_ACCOUNT_REGISTRY_HELPERS_H_
#define UPTIME_COORDINATOR_ACCOUNTS_ACCOUNT_REGISTRY_HELPERS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "uptime/v1/user.pb.h"

namespace uptime::coordinator::account_registry_internal {

inline int64_t ToMs(absl::Time t) { return absl::ToUnixMillis(t); }
inline absl::Time FromMs(int64_t ms) { return absl::FromUnixMillis(ms); }

inline std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

inline absl::Status ValidateRole(absl::string_view field, v1::Role role) {
  if (role == v1::ROLE_VIEWER || role == v1::ROLE_EDITOR || role == v1::ROLE_ADMIN) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be ROLE_VIEWER, ROLE_EDITOR or ROLE_ADMIN"));
}

inline std::string Json(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

inline absl::Status Denied(absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat(what, " needs the 'admin' role"));
}

}  // namespace uptime::coordinator::account_registry_internal

#endif  // UPTIME_COORDINATOR_ACCOUNTS_ACCOUNT_REGISTRY_HELPERS_H_
