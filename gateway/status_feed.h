// StatusFeed: a status page's incidents as an Atom 1.0 or RSS 2.0 feed, so
// customers can follow a page in a feed reader or a chat integration.
//
// The caller decides what an entry says (a private incident cause never
// reaches this file unless the page shows causes); this file only renders,
// escaping every string for XML and dropping characters XML 1.0 forbids.
//
// Example:
//   Feed feed{.title = "Acme status", .page_url = "https://s.example/status/acme", ...};
//   std::string atom = RenderAtomFeed(feed);
//
// Thread-safety: pure functions.
#ifndef UPTIME_GATEWAY_STATUS_FEED_H_
#define UPTIME_GATEWAY_STATUS_FEED_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace uptime::gateway {

// Ids are IRIs that never change for the same thing, so readers do not show
// an entry twice: e.g. "urn:uptime-monitor:incident:inc-1:resolved". They do
// not depend on the host name the feed was fetched under.
struct FeedEntry {
  std::string id;       // stable IRI, unique within the feed
  std::string title;    // "Checkout API is down"
  std::string summary;  // plain text
  std::string link;     // absolute URL of the page, or empty
  absl::Time published;
  absl::Time updated;
};

struct Feed {
  std::string id;        // stable IRI, e.g. "urn:uptime-monitor:status-page:acme"
  std::string title;
  std::string subtitle;  // may be empty
  std::string page_url;  // absolute or root-relative URL of the HTML page
  std::string self_url;  // URL of the feed itself
  absl::Time updated;    // newest entry's update, or the page's update time
  std::vector<FeedEntry> entries;  // newest first
};

std::string RenderAtomFeed(const Feed& feed);
std::string RenderRssFeed(const Feed& feed);

// `text` escaped for XML character data and attribute values, with
// characters XML 1.0 forbids (controls other than tab/newline/CR, invalid
// UTF-8) replaced by U+FFFD. Exposed for the badge renderer and tests.
std::string XmlEscape(const std::string& text);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_STATUS_FEED_H_
