// Maps an HTTP request onto a protobuf request message, as Google's HTTP/JSON
// transcoding does: path parameters and query parameters name request fields
// (snake_case proto names or lowerCamelCase JSON names, dotted for nested
// fields), and the body is the protobuf JSON of one field (or the whole
// request). Unknown names are errors naming them, so a misspelt parameter
// never silently does nothing.
//
// Example:
//   v1::ListMonitorsRequest req;
//   RETURN_IF_ERROR(ApplyQuery("label_selector=env%3Dprod&pageSize=10", {}, &req));
#ifndef UPTIME_GATEWAY_REQUEST_MAPPING_H_
#define UPTIME_GATEWAY_REQUEST_MAPPING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace uptime::gateway {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Splits and percent-decodes "a=1&b=x%20y". INVALID_ARGUMENT for a malformed
// escape or a name or value that is not valid UTF-8.
absl::StatusOr<QueryParams> ParseQuery(absl::string_view query);

// Sets the fields `params` name on `msg` (merged into what it holds).
// Parameters whose first path element is in `excluded` (the body field,
// path parameters) are rejected, as are unknown names, non-scalar targets
// other than Timestamp/Duration/FieldMask, malformed values and a repeated
// name for a singular field. Errors are INVALID_ARGUMENT naming the field.
absl::Status ApplyQuery(const QueryParams& params, const std::vector<std::string>& excluded,
                        google::protobuf::Message* msg);

// Sets the string field at dotted `path` (e.g. "monitor.id") to `value`.
absl::Status SetPathParam(absl::string_view path, const std::string& value,
                          google::protobuf::Message* msg);

// Parses `body` (protobuf JSON) into `msg`, replacing its contents. Unknown
// fields are errors naming them; so are invalid UTF-8 and malformed JSON.
absl::Status ParseJsonBody(absl::string_view body, google::protobuf::Message* msg);

// Protobuf JSON (lowerCamelCase names, defaults omitted), on one line.
std::string ToJson(const google::protobuf::Message& msg);

// True when `s` is entirely valid UTF-8.
bool IsValidUtf8(absl::string_view s);

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view s);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_REQUEST_MAPPING_H_
