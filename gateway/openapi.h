// The OpenAPI 3 document of the REST mirror, generated from ApiRoutes() and
// the request/response descriptors, so it always matches what is served.
#ifndef UPTIME_GATEWAY_OPENAPI_H_
#define UPTIME_GATEWAY_OPENAPI_H_

#include <string>
#include <vector>

#include "gateway/api_routes.h"

namespace uptime::gateway {

// `version` is the server's version, shown in `info`.
std::string OpenApiJson(const std::vector<ApiRoute>& routes, const std::string& version);

// The OpenAPI path of a route pattern: "{monitor.id}" stays as is (the
// parameter's name), custom verbs stay in the path.
std::vector<std::string> PathParams(const std::string& pattern);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_OPENAPI_H_
