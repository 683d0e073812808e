// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status (Abseil 20220623 has none).
//
// Example:
//   RETURN_IF_ERROR(store.Put(monitor));
//   ASSIGN_OR_RETURN(Monitor m, store.Get(id));
#ifndef UPTIME_COMMON_STATUS_MACROS_H_
#define UPTIME_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define UPTIME_CONCAT_INNER_(a, b) a##b
#define UPTIME_CONCAT_(a, b) UPTIME_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status uptime_status_ = (expr);            \
    if (!uptime_status_.ok()) return uptime_status_;   \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, rexpr) \
  UPTIME_ASSIGN_OR_RETURN_IMPL_(UPTIME_CONCAT_(uptime_statusor_, __LINE__), lhs, rexpr)

#define UPTIME_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // UPTIME_COMMON_STATUS_MACROS_H_
