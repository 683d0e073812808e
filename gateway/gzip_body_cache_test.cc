#include "gateway/gzip_body_cache.h"

#include "gateway/gzip.h"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

std::shared_ptr<const std::string> Body(char c) {
  return std::make_shared<const std::string>(std::string(50'000, c));
}

TEST(GzipBodyCacheTest, CompressesEachBodyOnce) {
  GzipBodyCache cache;
  auto body = Body('a');
  std::shared_ptr<const std::string> first = cache.GzipFor(body);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(*Gunzip(*first), *body);
  EXPECT_EQ(cache.GzipFor(body), first);  // the same copy, not a new one
  EXPECT_EQ(cache.compressions(), 1u);
  // An equal body that is another object (the next snapshot version) is
  // compressed again: identity, not content, is the key.
  auto next = Body('a');
  EXPECT_NE(cache.GzipFor(next), first);
  EXPECT_EQ(cache.compressions(), 2u);
}

TEST(GzipBodyCacheTest, ForgetsBodiesThatAreGoneAndStaysBounded) {
  GzipBodyCache cache(/*capacity=*/2);
  auto a = Body('a');
  auto b = Body('b');
  auto c = Body('c');
  cache.GzipFor(a);
  cache.GzipFor(b);
  cache.GzipFor(a);  // a used last: b goes first
  std::shared_ptr<const std::string> gc = cache.GzipFor(c);
  EXPECT_EQ(*Gunzip(*gc), *c);
  EXPECT_EQ(cache.compressions(), 3u);
  cache.GzipFor(a);
  EXPECT_EQ(cache.compressions(), 3u);  // still held
  cache.GzipFor(b);
  EXPECT_EQ(cache.compressions(), 4u);  // had been dropped
  // A body that died leaves no copy that a new body at the same address
  // could be served.
  const std::string* old_address = a.get();
  a.reset();
  auto d = Body('d');
  std::shared_ptr<const std::string> gd = cache.GzipFor(d);
  EXPECT_EQ(*Gunzip(*gd), *d) << (d.get() == old_address ? "same address" : "");
}

}  // namespace
}  // namespace uptime::gateway
