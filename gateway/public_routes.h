// PublicRoutes: the anonymous, CDN-cacheable surface of the status pages:
//   GET /status/{slug}                              the web app's status shell
//   GET /status/{slug}/feed.atom | feed.rss         incident feeds
//   GET /status/{slug}/badge.svg | shields.json     the page's overall state
//   GET /api/v1/public/status-pages/{slug}          PublicStatusPage JSON
//   GET /api/v1/public/status-pages/{slug}/events   SSE of the page's states
//   GET /badge/{monitor_id}/status.svg | uptime.svg | response-time.svg | shields.json
//
// Everything is answered from PublicPages' memory. Authorization is never
// read: every caller gets the same bytes, with a strong ETag (If-None-Match
// gives 304) and a Cache-Control fit for a CDN. A monitor no page shows, an
// unknown monitor and an unknown slug all get the same 404.
//
// Thread-safety: thread-safe.
#ifndef UPTIME_GATEWAY_PUBLIC_ROUTES_H_
#define UPTIME_GATEWAY_PUBLIC_ROUTES_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/http_types.h"
#include "gateway/public_pages.h"
#include "gateway/router.h"

namespace uptime::gateway {

inline constexpr absl::string_view kPageCacheControl =
    "public, max-age=10, stale-while-revalidate=60";
inline constexpr absl::string_view kHtmlCacheControl = "public, max-age=60";
inline constexpr absl::string_view kFeedCacheControl =
    "public, max-age=60, stale-while-revalidate=300";
inline constexpr absl::string_view kBadgeCacheControl =
    "public, max-age=30, stale-while-revalidate=120";

class PublicRoutes {
 public:
  // `html_csp`, when set, is the Content-Security-Policy of the HTML shell
  // (the page's logo is an image from another origin); empty: the server's.
  PublicRoutes(const PublicPages* pages, Clock* clock, std::string html_csp = "");

  // True when `path` belongs to the public surface (whatever the method).
  bool Matches(absl::string_view path) const;

  // Answers a request whose path Matches(). `label` receives the metrics
  // label (a fixed name per kind of route).
  void Handle(const HttpRequest& request, const Respond& respond, std::string* label);

 private:
  // The public 404, after asking PublicPages to look for new pages.
  HttpResponse NotFoundAndRefresh();
  enum Route {
    kHtml, kFeedAtom, kFeedRss, kPageBadge, kPageShields, kPageJson, kPageEvents,
    kMonitorStatus, kMonitorUptime, kMonitorResponseTime, kMonitorShields,
  };
  struct Rendered {
    uint64_t version = 0;
    absl::Time rendered_at;
    std::shared_ptr<const std::string> body;
    std::string etag;
  };

  // The cached rendering of `route` for `slug`'s page, rendered anew when
  // the pages changed (at most once a second) or it is 10 s old; null for an
  // unknown slug.
  std::shared_ptr<const Rendered> Render(const std::string& slug, Route route);
  void ServeBadge(Route route, const std::string& id_or_slug, const HttpRequest& request,
                  const Respond& respond);
  void ServeEvents(const std::string& slug, const HttpRequest& request, const Respond& respond);

  const PublicPages* const pages_;
  Clock* const clock_;
  const std::string html_csp_;
  Router router_;
  absl::Mutex mu_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const Rendered>> cache_
      ABSL_GUARDED_BY(mu_);
};

// A strong ETag for `body`: a quoted hex SHA-256 prefix.
std::string StrongEtag(absl::string_view body);

// The identical 404 every public route gives for anything not public.
HttpResponse PublicNotFound();

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_PUBLIC_ROUTES_H_
