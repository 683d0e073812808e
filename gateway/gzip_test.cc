#include "gateway/gzip.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

TEST(GzipTest, RoundTripsExactly) {
  std::string json = "{\"statuses\":[";
  for (int i = 0; i < 1000; ++i) {
    json += "{\"monitorId\":\"mon-" + std::to_string(i) + "\",\"state\":\"STATE_UP\"},";
  }
  json += "{}]}";
  for (int level : {1, 6, 9}) {
    const std::string gz = Gzip(json, level);
    ASSERT_FALSE(gz.empty());
    EXPECT_LT(gz.size(), json.size() / 5) << "level " << level;
    // The gzip magic, so clients recognize it.
    EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
    absl::StatusOr<std::string> back = Gunzip(gz);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, json);
  }
  absl::StatusOr<std::string> empty = Gunzip(Gzip("", 6));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, "");
}

TEST(GzipTest, GunzipRejectsWhatIsNotWhole) {
  const std::string gz = Gzip("hello, hello, hello", 6);
  EXPECT_FALSE(Gunzip("plain text").ok());
  EXPECT_FALSE(Gunzip(gz.substr(0, gz.size() - 4)).ok());
  const absl::StatusOr<std::string> big = Gunzip(Gzip(std::string(100'000, 'a'), 6), 1000);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace uptime::gateway
