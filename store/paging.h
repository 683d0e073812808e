// Keyset pagination shared by the stores: lists are ordered by (time DESC,
// key DESC), and a page token names the last row returned, so pages stay
// stable while new rows arrive (an offset would shift under them).
#ifndef UPTIME_STORE_PAGING_H_
#define UPTIME_STORE_PAGING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace uptime::store {

struct PageCursor {
  absl::Time time = absl::InfiniteFuture();  // rows strictly before (time, key)
  std::string key = {};
};

// Opaque to clients: web-safe base64 of "<unix micros>/<key>".
std::string EncodePageToken(const PageCursor& cursor);
// The cursor after which the next page starts; the empty token means "from
// the newest row". INVALID_ARGUMENT naming page_token when malformed.
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token);

// True if (time, key) sorts after `cursor` in newest-first order, i.e.
// belongs to a later page.
bool AfterCursor(const PageCursor& cursor, absl::Time time, absl::string_view key);

// 0 (unset) means 100; larger than 1000 is capped at 1000 (the API validates
// bounds; the store only protects itself).
int EffectivePageSize(int page_size);

}  // namespace uptime::store

#endif  // UPTIME_STORE_PAGING_H_
