// gRPC status -> HTTP status and the JSON error body the REST mirror returns:
//   {"code": 3, "status": "INVALID_ARGUMENT", "message": "monitor.interval: ...",
//    "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
//                 "fieldViolations": [{"field": "monitor.interval", "description": "..."}]}]}
// `code` is the gRPC code number (as Google's JSON errors carry it), `status`
// its name; a 400's field, when the message starts with one, is repeated in
// a BadRequest detail so clients can highlight it without parsing text.
#ifndef UPTIME_GATEWAY_ERROR_MAPPING_H_
#define UPTIME_GATEWAY_ERROR_MAPPING_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/http_types.h"

namespace uptime::gateway {

// The HTTP status for a (non-OK) canonical code.
unsigned HttpStatusFor(absl::StatusCode code);

// "INVALID_ARGUMENT" for kInvalidArgument, and so on.
const char* CodeName(absl::StatusCode code);

// The field a message like "monitor.interval: must be ..." names, or "".
std::string FieldOf(absl::string_view message);

// For RESOURCE_EXHAUSTED (HTTP 429): the Retry-After value in whole seconds
// (at least 1), from a hint in the message ("... retry after 30s",
// "try again in 2 minutes", "retry in 1m30s"), else `fallback`.
int64_t RetryAfterSeconds(absl::string_view message, int64_t fallback = 1);

// The JSON error body for `status` (non-OK).
std::string ErrorJson(const absl::Status& status);

// A JSON error response for `status`: the body above, no caching,
// `WWW-Authenticate: Bearer` with a 401 and `Retry-After` with a 429.
HttpResponse ErrorResponse(const absl::Status& status);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_ERROR_MAPPING_H_
