// gzip (RFC 1952) with zlib, for answers sent with Content-Encoding: gzip.
//
// Thread-safety: pure functions.
#ifndef UPTIME_GATEWAY_GZIP_H_
#define UPTIME_GATEWAY_GZIP_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime::gateway {

// `data` compressed into one gzip member at zlib `level` (1..9).
std::string Gzip(absl::string_view data, int level);

// The data of the gzip members in `gz`; INVALID_ARGUMENT when it is not
// gzip or is truncated, or when the result would exceed `max_bytes`.
absl::StatusOr<std::string> Gunzip(absl::string_view gz, size_t max_bytes = 64 << 20);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_GZIP_H_
