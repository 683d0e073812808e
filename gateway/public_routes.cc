#include "gateway/public_routes.h"

#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gateway/badge.h"
#include "gateway/error_mapping.h"
#include "gateway/request_mapping.h"
#include "gateway/sse.h"
#include "gateway/static_files.h"
#include "gateway/status_feed.h"
#include "openssl/sha.h"

namespace uptime::gateway {

namespace http = boost::beast::http;

namespace {

// A rendering is reused for at most this long even when nothing changed, so
// time-dependent parts (an announcement expiring, a maintenance window
// starting) are never older than the shortest max-age.
constexpr absl::Duration kRenderTtl = absl::Seconds(10);
// ... and for at least this long even when something changed: with a
// thousand monitors' uptimes refreshing in turn the pages change several
// times a second, and a large page must not be rendered per request.
constexpr absl::Duration kMinRenderAge = absl::Seconds(1);
// Renderings kept; beyond it the cache starts over (pages are few).
constexpr size_t kMaxCachedRenderings = 4096;

HttpResponse Cacheable(std::shared_ptr<const std::string> body, const std::string& etag,
                       absl::string_view content_type, absl::string_view cache_control,
                       absl::string_view if_none_match) {
  HttpResponse r;
  r.content_type = std::string(content_type);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", std::string(cache_control));
  if (!if_none_match.empty() && EtagMatches(if_none_match, etag)) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.shared_body = std::move(body);
  return r;
}

HttpResponse PublicError(const absl::Status& status) {
  HttpResponse r;
  r.status = HttpStatusFor(status.code());
  r.body = ErrorJson(status);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse CacheableString(std::string body, absl::string_view content_type,
                             absl::string_view cache_control, absl::string_view if_none_match) {
  const std::string etag = StrongEtag(body);
  return Cacheable(std::make_shared<const std::string>(std::move(body)), etag, content_type,
                   cache_control, if_none_match);
}

// The SSE sink the page's hub writes to: passes frames on to the client's
// session, except that every `resync` goes out as the contract's bare
// `data: {}` (the hub's own gap notice carries a reason).
class ResyncRewritingSink : public SseSink {
 public:
  explicit ResyncRewritingSink(std::weak_ptr<SseSink> next) : next_(std::move(next)) {}

  bool Send(std::shared_ptr<const std::string> frame) override {
    std::shared_ptr<SseSink> next = next_.lock();
    if (next == nullptr) return false;
    if (absl::StrContains(*frame, "\nevent: resync\n") && absl::StartsWith(*frame, "id: ")) {
      const absl::string_view f(*frame);
      uint64_t id = 0;
      if (absl::SimpleAtoi(f.substr(4, f.find('\n') - 4), &id)) {
        frame = std::make_shared<const std::string>(SseFrame(id, "resync", "{}"));
      }
    }
    return next->Send(std::move(frame));
  }

 private:
  const std::weak_ptr<SseSink> next_;
};

class PageEventSource : public SseSource {
 public:
  PageEventSource(std::shared_ptr<EventHub> hub, std::optional<uint64_t> last_id)
      : hub_(std::move(hub)), last_id_(last_id) {}

  void Attach(std::weak_ptr<SseSink> sink) override {
    if (std::shared_ptr<SseSink> s = sink.lock()) {
      static const auto kRetry = std::make_shared<const std::string>("retry: 3000\n\n");
      if (!s->Send(kRetry)) return;
    }
    sink_ = std::make_shared<ResyncRewritingSink>(std::move(sink));
    subscription_ = hub_->Subscribe(sink_, LabelSelector(), last_id_);
  }
  void Detach() override {
    if (subscription_ != 0) hub_->Unsubscribe(subscription_);
    subscription_ = 0;
    sink_.reset();
  }

 private:
  // Held here: the page may be deleted while the client is connected.
  const std::shared_ptr<EventHub> hub_;
  const std::optional<uint64_t> last_id_;
  std::shared_ptr<ResyncRewritingSink> sink_;  // the session's io thread only
  uint64_t subscription_ = 0;
};

struct BadgeQuery {
  std::string label;
  BadgeStyle style = BadgeStyle::kFlat;
  std::string window = "30d";
  std::string metric = "status";
};

// Unknown parameters are ignored (READMEs add cache busters such as ?v=2);
// bad values of known ones are errors naming the parameter.
absl::StatusOr<BadgeQuery> ParseBadgeQuery(absl::string_view query) {
  absl::StatusOr<QueryParams> params = ParseQuery(query);
  if (!params.ok()) return params.status();
  BadgeQuery q;
  for (const auto& [name, value] : *params) {
    if (name == "label") {
      if (value.size() > kMaxBadgeLabel) {
        return absl::InvalidArgumentError(
            absl::StrCat("label: at most ", kMaxBadgeLabel, " characters"));
      }
      q.label = value;
    } else if (name == "style") {
      absl::StatusOr<BadgeStyle> style = ParseBadgeStyle(value);
      if (!style.ok()) return style.status();
      q.style = *style;
    } else if (name == "window") {
      if (value != "24h" && value != "7d" && value != "30d" && value != "90d") {
        return absl::InvalidArgumentError("window: must be 24h, 7d, 30d or 90d");
      }
      q.window = value;
    } else if (name == "metric") {
      if (value != "status" && value != "uptime" && value != "response-time") {
        return absl::InvalidArgumentError("metric: must be status, uptime or response-time");
      }
      q.metric = value;
    }
  }
  return q;
}

double UptimePercent(const v1::GetUptimeResponse* uptime, const std::string& window) {
  if (uptime == nullptr) return -1;
  for (const v1::UptimeWindow& w : uptime->windows()) {
    if (w.window() == window) return w.checks() > 0 ? w.uptime_percent() : -1;
  }
  return -1;
}

}  // namespace

std::string StrongEtag(absl::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  return absl::StrCat(
      "\"", absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 16)),
      "\"");
}

HttpResponse PublicNotFound() { return PublicError(absl::NotFoundError("not found")); }

PublicRoutes::PublicRoutes(const PublicPages* pages, Clock* clock, std::string html_csp)
    : pages_(pages), clock_(clock), html_csp_(std::move(html_csp)) {
  const std::pair<const char*, Route> routes[] = {
      {"/status/{slug}", kHtml},
      {"/status/{slug}/feed.atom", kFeedAtom},
      {"/status/{slug}/feed.rss", kFeedRss},
      {"/status/{slug}/badge.svg", kPageBadge},
      {"/status/{slug}/shields.json", kPageShields},
      {"/api/v1/public/status-pages/{slug}", kPageJson},
      {"/api/v1/public/status-pages/{slug}/events", kPageEvents},
      {"/badge/{id}/status.svg", kMonitorStatus},
      {"/badge/{id}/uptime.svg", kMonitorUptime},
      {"/badge/{id}/response-time.svg", kMonitorResponseTime},
      {"/badge/{id}/shields.json", kMonitorShields},
  };
  for (const auto& [pattern, route] : routes) {
    // Fixed patterns: a failure here is a bug caught by every test.
    absl::Status s = router_.Add(http::verb::get, pattern, route);
    if (!s.ok()) std::abort();
  }
}

HttpResponse PublicRoutes::NotFoundAndRefresh() {
  // A page created a moment ago through the coordinator (uptimectl) is
  // looked up now rather than at the next periodic refresh; PublicPages
  // refreshes at most once a second however many misses ask for it.
  pages_->RequestRefresh();
  return PublicNotFound();
}

bool PublicRoutes::Matches(absl::string_view path) const {
  return absl::StartsWith(path, "/status/") || absl::StartsWith(path, "/badge/") ||
         absl::StartsWith(path, "/api/v1/public/");
}

std::shared_ptr<const PublicRoutes::Rendered> PublicRoutes::Render(const std::string& slug,
                                                                   Route route) {
  const uint64_t version = pages_->version();
  const absl::Time now = clock_->Now();
  const auto key = std::make_pair(slug, static_cast<int>(route));
  // A deleted page disappears at once, even from a rendering young enough to
  // be served despite a newer version.
  if (!pages_->HasPage(slug)) return nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now - it->second->rendered_at < kRenderTtl &&
        (it->second->version == version || now - it->second->rendered_at < kMinRenderAge)) {
      return it->second;
    }
  }
  std::optional<PageView> view = pages_->View(slug);
  if (!view.has_value()) return nullptr;
  const std::string page_path = absl::StrCat("/status/", slug);
  std::string body;
  switch (route) {
    case kPageJson: body = RenderPublicPageJson(*view); break;
    case kFeedAtom:
      body = RenderAtomFeed(BuildPageFeed(*view, page_path, page_path + "/feed.atom"));
      break;
    case kFeedRss:
      body = RenderRssFeed(BuildPageFeed(*view, page_path, page_path + "/feed.rss"));
      break;
    default: return nullptr;
  }
  auto rendered = std::make_shared<Rendered>();
  rendered->version = version;
  rendered->rendered_at = now;
  rendered->etag = StrongEtag(body);
  rendered->body = std::make_shared<const std::string>(std::move(body));
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= kMaxCachedRenderings) cache_.clear();
  cache_[key] = rendered;
  return rendered;
}

void PublicRoutes::Handle(const HttpRequest& request, const Respond& respond, std::string* label) {
  // request.authorization is deliberately never read here.
  RouteMatch m = router_.Match(request.method, request.path);
  *label = "public_other";
  if (m.result == RouteMatch::Result::kNotFound) return respond(PublicNotFound());
  if (m.result == RouteMatch::Result::kMethodNotAllowed) {
    HttpResponse r = PublicError(absl::Status(absl::StatusCode::kUnimplemented,
                                                "method not allowed"));
    r.status = 405;
    r.headers.emplace_back("Allow", "GET, HEAD");
    return respond(std::move(r));
  }
  const Route route = static_cast<Route>(m.route);
  const std::string& param = m.params.at(0).second;
  switch (route) {
    case kHtml: {
      *label = "public_html";
      const bool known = pages_->HasPage(param);
      if (!known) pages_->RequestRefresh();  // see NotFoundAndRefresh
      std::optional<HttpResponse> r =
          ServeAsset("/status.html", known ? absl::string_view(request.if_none_match) : "",
                     request.accept_encoding);
      if (!r.has_value()) {
        // The web app is not built in: a minimal page pointing at the data.
        r = HttpResponse();
        r->content_type = "text/html; charset=utf-8";
        r->body = "<!doctype html><meta charset=\"utf-8\"><title>Status</title>"
                  "<p>This gateway was built without the status page app.</p>";
        r->headers.emplace_back("ETag", StrongEtag(r->body));
      }
      std::erase_if(r->headers, [](const auto& h) { return h.first == "Cache-Control"; });
      r->headers.emplace_back("Cache-Control",
                              std::string(known ? kHtmlCacheControl : "no-store"));
      if (!known) r->status = 404;
      if (!html_csp_.empty()) r->headers.emplace_back("Content-Security-Policy", html_csp_);
      return respond(*std::move(r));
    }
    case kPageJson:
    case kFeedAtom:
    case kFeedRss: {
      *label = route == kPageJson ? "public_page" : "public_feed";
      std::shared_ptr<const Rendered> rendered = Render(param, route);
      if (rendered == nullptr) return respond(NotFoundAndRefresh());
      const absl::string_view type = route == kPageJson  ? "application/json"
                                     : route == kFeedAtom ? "application/atom+xml; charset=utf-8"
                                                          : "application/rss+xml; charset=utf-8";
      return respond(Cacheable(rendered->body, rendered->etag, type,
                               route == kPageJson ? kPageCacheControl : kFeedCacheControl,
                               request.if_none_match));
    }
    case kPageEvents:
      *label = "public_events";
      return ServeEvents(param, request, respond);
    default:
      *label = "public_badge";
      return ServeBadge(route, param, request, respond);
  }
}

void PublicRoutes::ServeEvents(const std::string& slug, const HttpRequest& request,
                               const Respond& respond) {
  absl::StatusOr<QueryParams> params = ParseQuery(request.query);
  if (!params.ok()) return respond(PublicError(params.status()));
  std::string query_last;
  for (const auto& [name, value] : *params) {
    if (name == "last_event_id" || name == "lastEventId") query_last = value;
  }
  std::optional<uint64_t> last = ParseLastEventId(request.last_event_id, query_last);
  if ((!request.last_event_id.empty() || !query_last.empty()) && !last.has_value()) {
    return respond(PublicError(absl::InvalidArgumentError("last_event_id: not an event id")));
  }
  std::shared_ptr<EventHub> hub = pages_->Events(slug);
  if (hub == nullptr) return respond(NotFoundAndRefresh());
  HttpResponse r;
  r.sse = std::make_shared<PageEventSource>(std::move(hub), last);
  respond(std::move(r));
}

void PublicRoutes::ServeBadge(Route route, const std::string& id_or_slug,
                              const HttpRequest& request, const Respond& respond) {
  absl::StatusOr<BadgeQuery> q = ParseBadgeQuery(request.query);
  if (!q.ok()) return respond(PublicError(q.status()));
  Badge badge;
  bool shields = route == kMonitorShields || route == kPageShields;
  if (route == kPageBadge || route == kPageShields) {
    std::optional<std::string> overall = pages_->Overall(id_or_slug);
    if (!overall.has_value()) return respond(NotFoundAndRefresh());
    badge = OverallBadge(*overall, q->label.empty() ? "status" : q->label);
  } else {
    std::optional<PublicPages::MonitorData> data = pages_->Monitor(id_or_slug);
    if (!data.has_value()) return respond(NotFoundAndRefresh());
    std::string metric = q->metric;
    if (route == kMonitorStatus) metric = "status";
    if (route == kMonitorUptime) metric = "uptime";
    if (route == kMonitorResponseTime) metric = "response-time";
    if (metric == "status") {
      badge = StateBadge(data->live.state, q->label.empty() ? "status" : q->label);
    } else if (metric == "uptime") {
      badge = UptimeBadge(UptimePercent(data->uptime.get(), q->window),
                          q->label.empty() ? absl::StrCat("uptime ", q->window) : q->label);
    } else {
      badge = ResponseTimeBadge(data->live.latency_ms.value_or(-1),
                                q->label.empty() ? "response time" : q->label);
    }
  }
  if (shields) {
    return respond(CacheableString(RenderShieldsJson(badge, q->style), "application/json",
                                   kBadgeCacheControl, request.if_none_match));
  }
  respond(CacheableString(RenderBadgeSvg(badge, q->style), "image/svg+xml", kBadgeCacheControl,
                          request.if_none_match));
}

}  // namespace uptime::gateway
