#include "gateway/static_files.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

TEST(StaticFilesTest, AcceptsGzip) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000, *"));  // named and refused beats "*"
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
}

bool HasHeader(const HttpResponse& r, const std::string& name, const std::string& value) {
  return std::any_of(r.headers.begin(), r.headers.end(),
                     [&](const auto& h) { return h.first == name && h.second == value; });
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(StaticFilesTest, IndexGoesOutGzippedOnlyWhenAccepted) {
  std::optional<HttpResponse> plain = ServeAsset("/", "", "");
  if (!plain.has_value()) GTEST_SKIP() << "built without the web app";
  std::optional<HttpResponse> gz = ServeAsset("/", "", "gzip, br");
  ASSERT_TRUE(gz.has_value());
  EXPECT_TRUE(HasHeader(*gz, "Content-Encoding", "gzip"));
  EXPECT_FALSE(HasHeader(*plain, "Content-Encoding", "gzip"));
  EXPECT_TRUE(HasHeader(*gz, "Vary", "Accept-Encoding"));
  EXPECT_TRUE(HasHeader(*plain, "Vary", "Accept-Encoding"));
  EXPECT_LT(gz->body.size(), plain->body.size());
  EXPECT_EQ(gz->body.substr(0, 2), "\x1f\x8b");
  // Each representation revalidates against its own tag.
  const std::string gz_etag = Header(*gz, "ETag");
  EXPECT_NE(gz_etag, Header(*plain, "ETag"));
  EXPECT_EQ(ServeAsset("/", gz_etag, "gzip")->status, 304u);
  EXPECT_EQ(ServeAsset("/", gz_etag, "")->status, 200u);
}

}  // namespace
}  // namespace uptime::gateway
