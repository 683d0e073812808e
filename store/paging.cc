#include "store/paging.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace uptime::store {

std::string EncodePageToken(const PageCursor& cursor) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(absl::ToUnixMicros(cursor.time), "/", cursor.key));
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token) {
  PageCursor cursor;
  if (token.empty()) return cursor;
  std::string raw;
  int64_t micros = 0;
  const size_t slash = absl::WebSafeBase64Unescape(token, &raw) ? raw.find('/') : std::string::npos;
  if (slash == std::string::npos || !absl::SimpleAtoi(raw.substr(0, slash), &micros)) {
    return absl::InvalidArgumentError("page_token: malformed page token");
  }
  cursor.time = absl::FromUnixMicros(micros);
  cursor.key = raw.substr(slash + 1);
  return cursor;
}

bool AfterCursor(const PageCursor& cursor, absl::Time time, absl::string_view key) {
  return time < cursor.time || (time == cursor.time && key < cursor.key);
}

int EffectivePageSize(int page_size) {
  if (page_size <= 0) return 100;
  return std::min(page_size, 1000);
}

}  // namespace uptime::store
