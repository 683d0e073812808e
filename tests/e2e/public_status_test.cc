// The public status-page surface end to end: a page created through the REST
// mirror is served by uptime-gateway without a token (JSON, HTML shell,
// feeds, badges, SSE), shows a real target going down, and keeps every
// monitor that no page shows private.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/gateway_fixture.h"
#include "tests/support/eventually.h"

namespace uptime::testing {
namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return absl::StrContains(haystack, needle);
}

class PublicStatusTest : public GatewayTest {
 protected:
  // An HTTP monitor on `url`, checked every second; returns its id.
  std::string CreateMonitorAt(const std::string& name, const std::string& url) {
    HttpResult r = HttpCall(port_, "POST", "/api/v1/monitors", kAdminToken,
                            absl::StrCat(R"({"name":")", name, R"(","http":{"url":")", url,
                                         R"("},"interval":"1s","timeout":"0.800s"})"));
    EXPECT_EQ(r.status, 200) << r.body;
    const size_t at = r.body.find("\"id\":\"");
    if (at == std::string::npos) return "";
    return r.body.substr(at + 6, r.body.find('"', at + 6) - at - 6);
  }
};

TEST_F(PublicStatusTest, PageBadgesFeedAndEventsWithoutAToken) {
  auto shop = HttpTarget::Start();
  ASSERT_TRUE(shop.ok()) << shop.status();
  const std::string shop_url = (*shop)->url("/health");
  const std::string public_id = CreateMonitorAt("Shop", shop_url);
  const std::string private_id = CreateMonitor("internal-db");
  ASSERT_FALSE(public_id.empty());
  ASSERT_FALSE(private_id.empty());

  HttpResult created = HttpCall(
      port_, "POST", "/api/v1/status-pages", kAdminToken,
      absl::StrCat(R"({"slug":"acme","title":"Acme status","groups":[{"name":"Shop",)",
                   R"("monitorIds":[")", public_id, R"("]}]})"));
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/status-pages", kReadToken).status, 200);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/status-pages:lookup?slug=acme", kReadToken).status,
            200);
  EXPECT_EQ(HttpCall(port_, "GET", "/api/v1/status-pages", "").status, 401);

  // The page renders without a token, with its monitor up.
  const std::string page_path = "/api/v1/public/status-pages/acme";
  HttpResult page;
  ASSERT_EVENTUALLY((page = HttpCall(port_, "GET", page_path, "")).status == 200 &&
                        Has(page.body, "\"state\":\"up\""),
                    absl::Seconds(30));
  EXPECT_TRUE(Has(page.body, public_id)) << page.body;
  EXPECT_TRUE(Has(page.body, "\"title\":\"Acme status\"")) << page.body;
  EXPECT_TRUE(Has(page.body, "\"overall\":\"operational\"")) << page.body;
  EXPECT_FALSE(Has(page.body, private_id)) << page.body;
  EXPECT_FALSE(Has(page.body, shop_url)) << page.body;  // no show_targets
  EXPECT_EQ(page.headers["content-type"], "application/json");
  EXPECT_EQ(page.headers["cache-control"], "public, max-age=10, stale-while-revalidate=60");
  // A token, even a bad one, changes nothing.
  HttpResult with_token = HttpCall(port_, "GET", page_path, "Bearer not-a-token");
  EXPECT_EQ(with_token.status, 200);

  // ETag + If-None-Match -> 304 (retried: a check result may land between).
  ASSERT_EVENTUALLY(
      [&] {
        HttpResult a = HttpCall(port_, "GET", page_path, "");
        const std::string etag = a.headers["etag"];
        if (etag.empty()) return false;
        HttpResult b =
            HttpCall(port_, "GET", page_path, "", "", {absl::StrCat("If-None-Match: ", etag)});
        return b.status == 304 && b.body.empty();
      }(),
      absl::Seconds(20));

  HttpResult html = HttpCall(port_, "GET", "/status/acme", "");
  EXPECT_EQ(html.status, 200) << html.body;
  EXPECT_TRUE(absl::StartsWith(html.headers["content-type"], "text/html"));
  EXPECT_EQ(html.headers["cache-control"], "public, max-age=60");
  EXPECT_EQ(HttpCall(port_, "GET", "/status/nope", "").status, 404);

  HttpResult badge = HttpCall(port_, "GET", absl::StrCat("/badge/", public_id, "/status.svg"), "");
  EXPECT_EQ(badge.status, 200) << badge.body;
  EXPECT_EQ(badge.headers["content-type"], "image/svg+xml");
  EXPECT_EQ(badge.headers["cache-control"], "public, max-age=30, stale-while-revalidate=120");
  HttpResult page_badge = HttpCall(port_, "GET", "/status/acme/badge.svg", "");
  EXPECT_EQ(page_badge.status, 200);
  EXPECT_EQ(HttpCall(port_, "GET", "/badge/" + public_id + "/uptime.svg?window=1y", "").status,
            400);

  // A monitor on no page, an unknown monitor and an unknown slug: the same 404.
  const HttpResult unknown = HttpCall(port_, "GET", "/badge/mon-unknown/status.svg", "");
  EXPECT_EQ(unknown.status, 404);
  for (const std::string& path : std::vector<std::string>{
           "/badge/" + private_id + "/status.svg", "/badge/" + private_id + "/uptime.svg",
           "/badge/" + private_id + "/shields.json", "/api/v1/public/status-pages/nope",
           "/status/nope/feed.atom", "/status/nope/badge.svg"}) {
    HttpResult r = HttpCall(port_, "GET", path, kAdminToken);  // even with a token
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body, unknown.body) << path;
  }

  // The target stops: "down" reaches the page's event stream and its JSON.
  SseClient events(port_, page_path + "/events", "");
  ASSERT_EVENTUALLY(Has(events.text(), "retry: 3000"), absl::Seconds(10));
  shop->reset();
  ASSERT_EVENTUALLY(Has(events.text(), "\"state\":\"down\""), absl::Seconds(30));
  EXPECT_TRUE(Has(events.text(), "event: state")) << events.text();
  EXPECT_TRUE(Has(events.text(), public_id)) << events.text();
  EXPECT_TRUE(Has(events.text(), "\"overall\":\"outage\"")) << events.text();
  EXPECT_FALSE(Has(events.text(), private_id)) << events.text();
  EXPECT_FALSE(Has(events.text(), "cause")) << events.text();
  ASSERT_EVENTUALLY(Has(HttpCall(port_, "GET", page_path, "").body, "\"state\":\"down\""),
                    absl::Seconds(20));

  // The feed carries the incident.
  HttpResult feed;
  ASSERT_EVENTUALLY(
      Has((feed = HttpCall(port_, "GET", "/status/acme/feed.atom", "")).body, "is down"),
      absl::Seconds(30));
  EXPECT_EQ(feed.headers["content-type"], "application/atom+xml; charset=utf-8");
  EXPECT_EQ(feed.headers["cache-control"], "public, max-age=60, stale-while-revalidate=300");
  EXPECT_TRUE(Has(feed.body, "urn:uptime:incident:")) << feed.body;
  EXPECT_TRUE(Has(HttpCall(port_, "GET", "/status/acme/feed.rss", "").body, "is down"));

  // Deleting the page makes everything private again.
  const std::string page_id = [&] {
    const size_t at = created.body.find("\"id\":\"");
    return created.body.substr(at + 6, created.body.find('"', at + 6) - at - 6);
  }();
  EXPECT_EQ(HttpCall(port_, "DELETE", "/api/v1/status-pages/" + page_id, kAdminToken).status, 200);
  ASSERT_EVENTUALLY(HttpCall(port_, "GET", "/badge/" + public_id + "/status.svg", "").status == 404,
                    absl::Seconds(20));
  EXPECT_EQ(HttpCall(port_, "GET", page_path, "").status, 404);
}

}  // namespace
}  // namespace uptime::testing
