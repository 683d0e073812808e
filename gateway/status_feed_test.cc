#include "gateway/status_feed.h"

#include <string>

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

Feed SampleFeed() {
  Feed feed;
  feed.id = "urn:uptime-monitor:status-page:acme";
  feed.title = "Acme & Co status";
  feed.page_url = "/status/acme";
  feed.self_url = "/status/acme/feed.atom";
  feed.updated = absl::FromUnixSeconds(1764694800);  // 2025-12-02T17:00:00Z
  FeedEntry entry;
  entry.id = "urn:uptime-monitor:incident:inc-1";
  entry.title = "Checkout <API> is down";
  entry.summary = "Began 17:00 UTC";
  entry.link = "/status/acme";
  entry.published = absl::FromUnixSeconds(1764694800);
  entry.updated = absl::FromUnixSeconds(1764694800);
  feed.entries.push_back(entry);
  return feed;
}

TEST(StatusFeedTest, XmlEscapeHandlesMarkupControlsAndBadUtf8) {
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
  EXPECT_EQ(XmlEscape("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(XmlEscape(std::string("bell\x07", 5)), "bell\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBF"), "\xEF\xBF\xBD");
}

TEST(StatusFeedTest, AtomHasTheRequiredElements) {
  std::string atom = RenderAtomFeed(SampleFeed());
  EXPECT_EQ(atom.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>", 0), 0u);
  EXPECT_NE(atom.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), std::string::npos);
  EXPECT_NE(atom.find("<id>urn:uptime-monitor:status-page:acme</id>"), std::string::npos);
  EXPECT_NE(atom.find("<title>Acme &amp; Co status</title>"), std::string::npos);
  EXPECT_NE(atom.find("<updated>2025-12-02T17:00:00Z</updated>"), std::string::npos);
  EXPECT_NE(atom.find("<author><name>"), std::string::npos);
  EXPECT_NE(atom.find("rel=\"self\""), std::string::npos);
  EXPECT_NE(atom.find("<title>Checkout &lt;API&gt; is down</title>"), std::string::npos);
  EXPECT_EQ(atom.find("<subtitle>"), std::string::npos);  // empty: left out
  EXPECT_NE(atom.find("</feed>"), std::string::npos);
}

TEST(StatusFeedTest, RssHasRfc822DatesAndGuids) {
  std::string rss = RenderRssFeed(SampleFeed());
  EXPECT_NE(rss.find("<rss version=\"2.0\""), std::string::npos);
  EXPECT_NE(rss.find("<lastBuildDate>Tue, 02 Dec 2025 17:00:00 +0000</lastBuildDate>"),
            std::string::npos);
  EXPECT_NE(rss.find("<guid isPermaLink=\"false\">urn:uptime-monitor:incident:inc-1</guid>"),
            std::string::npos);
  // RSS requires a channel description; the title stands in.
  EXPECT_NE(rss.find("<description>Acme &amp; Co status</description>"), std::string::npos);
  EXPECT_NE(rss.find("</channel></rss>"), std::string::npos);
}

TEST(StatusFeedTest, EmptyFeedIsStillValid) {
  Feed feed = SampleFeed();
  feed.entries.clear();
  EXPECT_EQ(RenderAtomFeed(feed).find("<entry>"), std::string::npos);
  EXPECT_EQ(RenderRssFeed(feed).find("<item>"), std::string::npos);
}

}  // namespace
}  // namespace uptime::gateway
