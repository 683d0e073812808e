// BuildApiRequest: the protobuf request an HTTP call to one REST route asks
// for. Kept apart from the handler so the one place that turns untrusted
// query strings, bodies and path segments into a message is also what the
// fuzzer (fuzz/gateway_request_fuzz.cc) drives.
#ifndef UPTIME_GATEWAY_API_REQUEST_H_
#define UPTIME_GATEWAY_API_REQUEST_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/api_routes.h"
#include "gateway/request_mapping.h"
#include "google/protobuf/message.h"

namespace uptime::gateway {

// Fills a new `route.request` from, in order, the query `params`, the JSON
// `body` (the whole message or the route's body field) and the percent-
// decoded `path_params` (the path wins: a query or body cannot redirect a
// call to another resource). INVALID_ARGUMENT naming the field for a body on
// a route that takes none, an unknown or repeated name, a malformed value or
// malformed JSON. The body's media type is the caller's to check. INTERNAL
// for a route the gateway answers itself (no request message).
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildApiRequest(
    const ApiRoute& route, const std::vector<std::pair<std::string, std::string>>& path_params,
    const QueryParams& params, absl::string_view body);

// True when `body` holds something to parse (not only whitespace).
bool HasBody(absl::string_view body);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_API_REQUEST_H_
