#include "gateway/public_routes.h"

#include "common/clock.h"
#include "gateway/testing/fake_page_source.h"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

namespace http = boost::beast::http;

class PublicRoutesTest : public ::testing::Test {
 protected:
  PublicRoutesTest()
      : pages_(PublicPagesOptions(), &source_, &snapshot_, &clock_), routes_(&pages_, &clock_) {
    {
      absl::MutexLock lock(&source_.mu);
      source_.pages = {TestPage("acme", {"m1"})};
      source_.monitors = {TestMonitor("m1", "https://a.example/"),
                          TestMonitor("m2", "https://private.example/")};
      source_.incidents = {TestIncident("inc-1", "m1", clock_.Now() - absl::Minutes(3),
                                        clock_.Now() - absl::Minutes(2), "secret")};
      v1::UptimeWindow* w = source_.uptime["m1"].add_windows();
      w->set_window("30d");
      w->set_checks(1000);
      w->set_uptime_percent(99.5);
    }
    std::map<std::string, MonitorEntry> entries;
    entries["m1"] = TestEntry("m1", v1::STATE_UP, clock_.Now() - absl::Hours(1));
    entries["m2"] = TestEntry("m2", v1::STATE_DOWN, clock_.Now() - absl::Hours(1));
    snapshot_.Replace(std::move(entries), clock_.Now());
    EXPECT_TRUE(pages_.RefreshPages().ok());
    EXPECT_TRUE(pages_.RefreshDetails().ok());
    pages_.RefreshUptime(10);
  }

  HttpResponse Get(const std::string& target, const std::string& if_none_match = "",
                   const std::string& authorization = "",
                   http::verb method = http::verb::get) {
    HttpRequest req;
    req.method = method;
    const size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.if_none_match = if_none_match;
    req.authorization = authorization;
    EXPECT_TRUE(routes_.Matches(req.path)) << target;
    HttpResponse out;
    bool called = false;
    std::string label;
    routes_.Handle(req, [&](HttpResponse r) {
      out = std::move(r);
      called = true;
    }, &label);
    EXPECT_TRUE(called);
    EXPECT_TRUE(label.starts_with("public_")) << label;
    return out;
  }

  static std::string Body(const HttpResponse& r) {
    return r.shared_body != nullptr ? *r.shared_body : r.body;
  }
  static std::string Header(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  SimulatedClock clock_;
  FakePageSource source_;
  StatusSnapshot snapshot_;
  PublicPages pages_;
  PublicRoutes routes_;
};

TEST_F(PublicRoutesTest, PageJsonIsCacheableAndIgnoresAuthorization) {
  HttpResponse r = Get("/api/v1/public/status-pages/acme");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=10, stale-while-revalidate=60");
  const std::string etag = Header(r, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag, StrongEtag(Body(r)));
  EXPECT_NE(Body(r).find("\"state\":\"up\""), std::string::npos) << Body(r);
  EXPECT_NE(Body(r).find("\"30d\":99.5"), std::string::npos) << Body(r);
  EXPECT_EQ(Body(r).find("secret"), std::string::npos);

  HttpResponse with_token = Get("/api/v1/public/status-pages/acme", "", "Bearer admin-token");
  EXPECT_EQ(Body(with_token), Body(r));

  HttpResponse not_modified = Get("/api/v1/public/status-pages/acme", etag);
  EXPECT_EQ(not_modified.status, 304u);
  EXPECT_EQ(Body(not_modified), "");
  EXPECT_EQ(Header(not_modified, "ETag"), etag);
}

TEST_F(PublicRoutesTest, EverythingNotPublicIsTheSame404) {
  const std::string expected = Body(PublicNotFound());
  for (const std::string target :
       {"/api/v1/public/status-pages/nope", "/api/v1/public/status-pages/nope/events",
        "/status/nope/feed.atom", "/status/nope/feed.rss", "/status/nope/badge.svg",
        "/status/nope/shields.json", "/badge/m2/status.svg", "/badge/m2/uptime.svg",
        "/badge/m2/response-time.svg", "/badge/m2/shields.json", "/badge/zz/status.svg",
        "/badge/m1/other.svg", "/api/v1/public/other"}) {
    HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_EQ(Body(r), expected) << target;
    EXPECT_EQ(Header(r, "Cache-Control"), "no-store") << target;
  }
  EXPECT_EQ(Get("/status/nope").status, 404u);
  EXPECT_EQ(Get("/badge/m1/status.svg", "", "", http::verb::post).status, 405u);
}

TEST_F(PublicRoutesTest, BadgesOfPublicMonitors) {
  HttpResponse r = Get("/badge/m1/status.svg");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "image/svg+xml");
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=30, stale-while-revalidate=120");
  EXPECT_NE(Body(r).find("up"), std::string::npos);
  EXPECT_EQ(Get("/badge/m1/status.svg", Header(r, "ETag")).status, 304u);

  HttpResponse uptime = Get("/badge/m1/uptime.svg?window=30d&label=availability&style=flat-square");
  EXPECT_EQ(uptime.status, 200u);
  EXPECT_NE(Body(uptime).find("99.50%"), std::string::npos) << Body(uptime);
  EXPECT_NE(Body(uptime).find("availability"), std::string::npos);

  HttpResponse shields = Get("/badge/m1/shields.json?metric=response-time&v=2");
  EXPECT_EQ(shields.status, 200u);
  EXPECT_EQ(shields.content_type, "application/json");
  EXPECT_NE(Body(shields).find("\"schemaVersion\":1"), std::string::npos) << Body(shields);
  EXPECT_NE(Body(shields).find("13 ms"), std::string::npos) << Body(shields);

  HttpResponse page = Get("/status/acme/badge.svg");
  EXPECT_EQ(page.status, 200u);
  EXPECT_NE(Body(page).find("operational"), std::string::npos);
  EXPECT_EQ(Get("/status/acme/shields.json").content_type, "application/json");
}

TEST_F(PublicRoutesTest, BadQueryValuesNameTheParameter) {
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"window=1y", "window"},
           {"style=plastic", "style"},
           {"metric=cpu", "metric"},
           {"label=" + std::string(65, 'x'), "label"}}) {
    HttpResponse r = Get("/badge/m1/shields.json?" + query);
    EXPECT_EQ(r.status, 400u) << query;
    EXPECT_NE(r.body.find("\"field\":\"" + field + "\""), std::string::npos) << r.body;
  }
}

TEST_F(PublicRoutesTest, FeedsAndShell) {
  HttpResponse atom = Get("/status/acme/feed.atom");
  EXPECT_EQ(atom.status, 200u);
  EXPECT_EQ(atom.content_type, "application/atom+xml; charset=utf-8");
  EXPECT_EQ(Header(atom, "Cache-Control"), "public, max-age=60, stale-while-revalidate=300");
  EXPECT_NE(Body(atom).find("urn:uptime:incident:inc-1"), std::string::npos) << Body(atom);
  EXPECT_EQ(Body(atom).find("secret"), std::string::npos);
  HttpResponse rss = Get("/status/acme/feed.rss");
  EXPECT_EQ(rss.content_type, "application/rss+xml; charset=utf-8");
  HttpResponse html = Get("/status/acme");
  EXPECT_EQ(html.status, 200u);
  EXPECT_EQ(html.content_type.rfind("text/html", 0), 0u) << html.content_type;
  EXPECT_EQ(Header(html, "Cache-Control"), "public, max-age=60");
}

TEST_F(PublicRoutesTest, RenderingsFollowChanges) {
  const std::string before = Body(Get("/api/v1/public/status-pages/acme"));
  v1::StateChange c;
  c.set_monitor_id("m1");
  c.set_from_state(v1::STATE_UP);
  c.set_to_state(v1::STATE_DOWN);
  ToProto(clock_.Now(), c.mutable_time());
  pages_.OnStateChange(c);
  // A rendering is reused for a second even when something changed.
  EXPECT_EQ(Body(Get("/api/v1/public/status-pages/acme")), before);
  clock_.Advance(absl::Seconds(1));
  const std::string after = Body(Get("/api/v1/public/status-pages/acme"));
  EXPECT_NE(after, before);
  EXPECT_NE(after.find("\"overall\":\"outage\""), std::string::npos) << after;
  EXPECT_NE(Body(Get("/badge/m1/status.svg")).find("down"), std::string::npos);
}

TEST_F(PublicRoutesTest, EventsOpenAStreamForAKnownPage) {
  HttpResponse r = Get("/api/v1/public/status-pages/acme/events");
  EXPECT_NE(r.sse, nullptr);
  EXPECT_EQ(Get("/api/v1/public/status-pages/acme/events?last_event_id=x").status, 400u);
}

}  // namespace
}  // namespace uptime::gateway
