// CheckResultJson: the protobuf JSON of a CheckResult, written directly.
//
// The gateway renders every check result it streams (for SSE clients and
// the snapshot's lastResult): at a fleet's checks/s, protobuf's JSON printer
// (type resolution, a tree of writers) was most of the gateway's CPU per
// result. This writes the same bytes for the common case (field order,
// lowerCamelCase names, defaults omitted, 64-bit integers as strings, enum
// names) and falls back to the printer for anything unusual (text needing
// escapes, an unknown enum value), so the output is always identical.
#ifndef UPTIME_GATEWAY_RESULT_JSON_H_
#define UPTIME_GATEWAY_RESULT_JSON_H_

#include <string>

#include "uptime/v1/result.pb.h"

namespace uptime::gateway {

std::string CheckResultJson(const v1::CheckResult& result);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_RESULT_JSON_H_
