#include "gateway/response_head.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/beast/http/status.hpp"

namespace uptime::gateway {

namespace {

using Fields = std::vector<std::pair<absl::string_view, absl::string_view>>;

// Beast's set(): every field of that name goes, the new one is appended.
void Set(Fields& fields, absl::string_view name, absl::string_view value) {
  std::erase_if(fields, [name](const auto& f) { return absl::EqualsIgnoreCase(f.first, name); });
  fields.emplace_back(name, value);
}

}  // namespace

std::string ResponseHead(unsigned version, bool keep_alive, const HttpResponse& response,
                         const std::vector<std::pair<std::string, std::string>>& server_headers,
                         size_t content_length) {
  Fields fields;
  fields.reserve(4 + server_headers.size() + response.headers.size());
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
  const std::string length = absl::StrCat(content_length);
  Set(fields, "Content-Length", length);

  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  size_t size = 32 + reason.size();
  for (const auto& [name, value] : fields) size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  absl::StrAppend(&out, "HTTP/", version / 10, ".", version % 10, " ", response.status, " ",
                  absl::string_view(reason.data(), reason.size()), "\r\n");
  for (const auto& [name, value] : fields) absl::StrAppend(&out, name, ": ", value, "\r\n");
  out += "\r\n";
  return out;
}

}  // namespace uptime::gateway
