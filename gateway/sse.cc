#include "gateway/sse.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace uptime::gateway {

namespace {

void AppendEvent(absl::string_view type, absl::string_view data, std::string* out_ptr) {
  std::string& out = *out_ptr;
  absl::StrAppend(&out, "event: ", type, "\n");
  size_t start = 0;
  while (true) {
    const size_t end = data.find_first_of("\r\n", start);
    absl::StrAppend(&out, "data: ", data.substr(start, end - start), "\n");
    if (end == absl::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out += "\n";
}

}  // namespace

std::string SseFrame(uint64_t id, absl::string_view type, absl::string_view data) {
  std::string out = absl::StrCat("id: ", id, "\n");
  AppendEvent(type, data, &out);
  return out;
}

std::string SseFrameWithoutId(absl::string_view type, absl::string_view data) {
  std::string out;
  out.reserve(type.size() + data.size() + 16);
  AppendEvent(type, data, &out);
  return out;
}

std::optional<uint64_t> ParseLastEventId(absl::string_view header, absl::string_view query_value) {
  uint64_t id;
  absl::string_view h = absl::StripAsciiWhitespace(header);
  if (!h.empty()) {
    if (absl::SimpleAtoi(h, &id)) return id;
    return std::nullopt;
  }
  if (!query_value.empty() && absl::SimpleAtoi(query_value, &id)) return id;
  return std::nullopt;
}

}  // namespace uptime::gateway
