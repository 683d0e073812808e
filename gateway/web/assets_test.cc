#include "gateway/web/assets.h"

#include <regex>
#include <string>

#include <gtest/gtest.h>

namespace uptime::gateway::web {
namespace {

TEST(AssetsTest, IndexReferencesEmbeddedHashedAssets) {
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_FALSE(index->immutable);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");

  const std::string html(index->body);
  const std::regex ref(R"re((src|href)="(/assets/[^"]+)")re");
  int found = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator(); ++it) {
    const std::string path = (*it)[2];
    const Asset* asset = FindAsset(path);
    ASSERT_NE(asset, nullptr) << path;
    EXPECT_TRUE(asset->immutable) << path;
    EXPECT_FALSE(asset->body.empty()) << path;
    ++found;
  }
  EXPECT_GE(found, 2) << "index.html should reference the app's JS and CSS";
}

// The public status page is its own light bundle: status.html references
// only its own hashed files, none of the dashboard's.
TEST(AssetsTest, StatusPageReferencesItsOwnBundle) {
  const Asset* status = FindAsset("/status.html");
  ASSERT_NE(status, nullptr);
  EXPECT_FALSE(status->immutable);
  EXPECT_EQ(status->content_type, "text/html; charset=utf-8");

  const std::string html(status->body);
  const std::regex ref(R"re((src|href)="(/assets/[^"]+)")re");
  int found = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator(); ++it) {
    const std::string path = (*it)[2];
    EXPECT_EQ(path.rfind("/assets/status-", 0), 0u) << path;
    const Asset* asset = FindAsset(path);
    ASSERT_NE(asset, nullptr) << path;
    EXPECT_TRUE(asset->immutable) << path;
    ++found;
  }
  EXPECT_EQ(found, 2) << "status.html should reference the status page's JS and CSS";
}

TEST(AssetsTest, EtagsAreQuotedAndUnknownPathsAreMissing) {
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  ASSERT_GE(index->etag.size(), 3u);
  EXPECT_EQ(index->etag.front(), '"');
  EXPECT_EQ(index->etag.back(), '"');
  EXPECT_EQ(FindAsset("/nope.js"), nullptr);
  EXPECT_EQ(FindAsset(""), nullptr);
  EXPECT_EQ(FindAsset("index.html"), nullptr);
}

TEST(AssetsTest, ScriptsHaveAGzipCopyWithItsOwnEtag) {
  int scripts = 0;
  for (const char* index_path : {"/index.html", "/status.html"}) {
    const Asset* index = FindAsset(index_path);
    ASSERT_NE(index, nullptr) << index_path;
    std::string html(index->body);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(html, m, std::regex(R"(/assets/[^"]+\.js)"))) << index_path;
    const Asset* js = FindAsset(m.str());
    ASSERT_NE(js, nullptr) << m.str();
    ++scripts;
    ASSERT_FALSE(js->gzip_body.empty()) << m.str();
    EXPECT_LT(js->gzip_body.size(), js->body.size());
    // The gzip magic number and "deflate" method.
    EXPECT_EQ(js->gzip_body.substr(0, 3), std::string_view("\x1f\x8b\x08", 3));
    EXPECT_NE(js->gzip_etag, js->etag);
    EXPECT_EQ(js->gzip_etag.back(), '"');
  }
  EXPECT_EQ(scripts, 2);
}

}  // namespace
}  // namespace uptime::gateway::web
