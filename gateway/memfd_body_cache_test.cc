#include "gateway/memfd_body_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

std::string Contents(const MemFile& file) {
  struct stat st {};
  EXPECT_EQ(fstat(file.fd(), &st), 0);
  std::string out(static_cast<size_t>(st.st_size), '\0');
  EXPECT_EQ(pread(file.fd(), out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
  return out;
}

// A body's file comes with its second send.
std::shared_ptr<const MemFile> SecondFileFor(MemfdBodyCache& cache,
                                             const std::shared_ptr<const std::string>& body) {
  cache.FileFor(body);
  return cache.FileFor(body);
}

TEST(MemfdBodyCacheTest, OneFilePerLiveBodyFromItsSecondSend) {
  MemfdBodyCache cache;
  auto body = std::make_shared<const std::string>(std::string(100'000, 'x') + "end");
  EXPECT_EQ(cache.FileFor(body), nullptr);  // once: written from memory
  std::shared_ptr<const MemFile> file = cache.FileFor(body);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(Contents(*file), *body);
  EXPECT_EQ(cache.FileFor(body), file);  // made once
  // An equal body is another body: the identity is the key.
  auto twin = std::make_shared<const std::string>(*body);
  std::shared_ptr<const MemFile> twin_file = SecondFileFor(cache, twin);
  ASSERT_NE(twin_file, nullptr);
  EXPECT_NE(twin_file, file);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(MemfdBodyCacheTest, TheFileIsSealed) {
  MemfdBodyCache cache;
  auto body = std::make_shared<const std::string>("{}");
  std::shared_ptr<const MemFile> file = SecondFileFor(cache, body);
  ASSERT_NE(file, nullptr);
  EXPECT_LT(pwrite(file->fd(), "x", 1, 0), 0);
  EXPECT_EQ(Contents(*file), "{}");
}

TEST(MemfdBodyCacheTest, GoneBodiesAreDroppedAndTheSizeIsBounded) {
  MemfdBodyCache cache(/*capacity=*/2);
  auto a = std::make_shared<const std::string>("a");
  std::shared_ptr<const MemFile> file_a = SecondFileFor(cache, a);
  ASSERT_NE(file_a, nullptr);
  a.reset();
  auto b = std::make_shared<const std::string>("b");
  cache.FileFor(b);
  EXPECT_EQ(cache.size(), 1u);  // a's entry went with a
  // A file in use stays open after its entry goes.
  EXPECT_EQ(Contents(*file_a), "a");

  auto c = std::make_shared<const std::string>("c");
  auto d = std::make_shared<const std::string>("d");
  cache.FileFor(c);
  std::shared_ptr<const MemFile> file_b = cache.FileFor(b);  // b used after c
  ASSERT_NE(file_b, nullptr);
  cache.FileFor(d);  // evicts c, the least recent
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.FileFor(b), file_b);
  EXPECT_EQ(cache.FileFor(c), nullptr);  // seen anew
  EXPECT_EQ(Contents(*cache.FileFor(c)), "c");
}

}  // namespace
}  // namespace uptime::gateway
