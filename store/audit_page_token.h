// Page tokens of the audit log (AccountStore::ListAudit), shared by every
// backend so a token from one page works against the same log anywhere.
//
// The log is read newest first by id, and a token names the last id a page
// returned: the next page holds the ids below it. Ids only grow, so pages
// stay stable while new events arrive. Tokens are opaque to clients (web-safe
// base64 of the decimal id).
//
// Example:
//   ASSIGN_OR_RETURN(int64_t before, DecodeAuditPageToken(query.page_token));
//   ... events with id < before ...
//   page.next_page_token = EncodeAuditPageToken(page.events.back().id());
#ifndef UPTIME_STORE_AUDIT_PAGE_TOKEN_H_
#define UPTIME_STORE_AUDIT_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime::store {

// The token of a page whose last (oldest) event has `last_id` (> 0).
std::string EncodeAuditPageToken(int64_t last_id);

// The exclusive upper bound on the ids of the page `token` asks for:
// INT64_MAX for the empty token (the first page). INVALID_ARGUMENT
// ("page_token: ...") for anything EncodeAuditPageToken did not produce.
absl::StatusOr<int64_t> DecodeAuditPageToken(absl::string_view token);

}  // namespace uptime::store

#endif  // UPTIME_STORE_AUDIT_PAGE_TOKEN_H_
