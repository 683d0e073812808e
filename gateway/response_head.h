// ResponseHead: the status line and header block of an HTTP/1.x response
// with a body of known length, formatted directly: exactly the bytes
// Boost.Beast writes for the same response (the field order included), at
// the cost of one string. Used for bodies sent from memory or a file
// without Beast's serializer, which costs more per response than sending a
// cached body does.
//
// Thread-safety: pure function.
#ifndef UPTIME_GATEWAY_RESPONSE_HEAD_H_
#define UPTIME_GATEWAY_RESPONSE_HEAD_H_

#include <string>
#include <utility>
#include <vector>

#include "gateway/http_types.h"

namespace uptime::gateway {

// `version` 10 or 11; `keep_alive` as the request asked. The fields, in
// order: Connection (when the version's default does not say it), Server,
// Content-Type, `server_headers`, then `response.headers` (each replacing
// earlier ones of the same name, case-insensitively, except Set-Cookie,
// which may repeat), and Content-Length: `content_length` (0 for a status
// that never carries a body, as Beast writes it).
std::string ResponseHead(unsigned version, bool keep_alive, const HttpResponse& response,
                         const std::vector<std::pair<std::string, std::string>>& server_headers,
                         size_t content_length);

// The same appended to *out: a session reuses one buffer for every head.
void AppendResponseHead(std::string* out, unsigned version, bool keep_alive,
                        const HttpResponse& response,
                        const std::vector<std::pair<std::string, std::string>>& server_headers,
                        size_t content_length);

// Whether responses with `status` never carry a body (1xx, 204, 304): the
// body is then not sent.
bool StatusHasNoBody(unsigned status);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_RESPONSE_HEAD_H_
