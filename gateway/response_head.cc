#include "gateway/response_head.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/beast/http/status.hpp"

namespace uptime::gateway {

namespace {

// Inline: no allocation for the usual dozen fields.
using Fields = absl::InlinedVector<std::pair<absl::string_view, absl::string_view>, 16>;

// Beast's set(): every field of that name goes, the new one is appended.
void Set(Fields& fields, absl::string_view name, absl::string_view value) {
  auto named = [name](const auto& f) { return absl::EqualsIgnoreCase(f.first, name); };
  fields.erase(std::remove_if(fields.begin(), fields.end(), named), fields.end());
  fields.emplace_back(name, value);
}

}  // namespace

bool StatusHasNoBody(unsigned status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

std::string ResponseHead(unsigned version, bool keep_alive, const HttpResponse& response,
                         const std::vector<std::pair<std::string, std::string>>& server_headers,
                         size_t content_length) {
  std::string out;
  AppendResponseHead(&out, version, keep_alive, response, server_headers, content_length);
  return out;
}

void AppendResponseHead(std::string* out, unsigned version, bool keep_alive,
                        const HttpResponse& response,
                        const std::vector<std::pair<std::string, std::string>>& server_headers,
                        size_t content_length) {
  Fields fields;
  // HTTP/1.1 keeps the connection unless told; HTTP/1.0 closes it unless told.
  if (version >= 11 && !keep_alive) fields.emplace_back("Connection", "close");
  if (version < 11 && keep_alive) fields.emplace_back("Connection", "keep-alive");
  fields.emplace_back("Server", "uptime-gateway");
  if (!response.content_type.empty()) Set(fields, "Content-Type", response.content_type);
  for (const auto& [name, value] : server_headers) Set(fields, name, value);
  for (const auto& [name, value] : response.headers) {
    if (absl::EqualsIgnoreCase(name, "Set-Cookie")) {
      fields.emplace_back(name, value);
    } else {
      Set(fields, name, value);
    }
  }
  const absl::AlphaNum length(content_length);  // digits on the stack
  Set(fields, "Content-Length", length.Piece());

  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  size_t size = 32 + reason.size();
  for (const auto& [name, value] : fields) size += name.size() + value.size() + 4;
  out->reserve(out->size() + size);
  absl::StrAppend(out, "HTTP/", version / 10, ".", version % 10, " ", response.status, " ",
                  absl::string_view(reason.data(), reason.size()), "\r\n");
  for (const auto& [name, value] : fields) absl::StrAppend(out, name, ": ", value, "\r\n");
  out->append("\r\n");
}

}  // namespace uptime::gateway
