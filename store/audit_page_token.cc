#include "store/audit_page_token.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace uptime::store {

std::string EncodeAuditPageToken(int64_t last_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(last_id));
}

absl::StatusOr<int64_t> DecodeAuditPageToken(absl::string_view token) {
  if (token.empty()) return std::numeric_limits<int64_t>::max();
  std::string raw;
  int64_t id = 0;
  // Re-encoding must give the token back: that refuses padding variants,
  // signs, spaces and leading zeros, so each page has exactly one token.
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::SimpleAtoi(raw, &id) || id <= 0 ||
      EncodeAuditPageToken(id) != token) {
    return absl::InvalidArgumentError("page_token: malformed page token");
  }
  return id;
}

}  // namespace uptime::store
