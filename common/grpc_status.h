// absl::Status <-> grpc::Status at the RPC boundary (only gRPC handlers and
// clients use grpc::Status; everything inside speaks absl::Status).
#ifndef UPTIME_COMMON_GRPC_STATUS_H_
#define UPTIME_COMMON_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace uptime {

inline grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // The canonical codes have the same numbers in both libraries.
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

}  // namespace uptime

#endif  // UPTIME_COMMON_GRPC_STATUS_H_
