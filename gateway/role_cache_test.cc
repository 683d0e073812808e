#include "gateway/role_cache.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

TEST(RoleCacheTest, AnswersUntilTheTtlPasses) {
  SimulatedClock clock;
  RoleCache cache(&clock, absl::Seconds(10), 100);
  EXPECT_FALSE(cache.Lookup("Bearer a").has_value());
  cache.Put("Bearer a", v1::ROLE_VIEWER);
  cache.Put("Bearer bad", absl::UnauthenticatedError("no"));
  ASSERT_TRUE(cache.Lookup("Bearer a").has_value());
  EXPECT_EQ(**cache.Lookup("Bearer a"), v1::ROLE_VIEWER);
  EXPECT_EQ(cache.Lookup("Bearer bad")->status().code(), absl::StatusCode::kUnauthenticated);
  clock.Advance(absl::Seconds(10));
  EXPECT_FALSE(cache.Lookup("Bearer a").has_value());
}

TEST(RoleCacheTest, EraseForgetsAtOnce) {
  SimulatedClock clock;
  RoleCache cache(&clock, absl::Seconds(1), 100);
  cache.Put("Bearer us_x", v1::ROLE_EDITOR);
  cache.Erase("Bearer us_x");
  EXPECT_FALSE(cache.Lookup("Bearer us_x").has_value());
}

TEST(RoleCacheTest, ZeroTtlCachesNothing) {
  SimulatedClock clock;
  RoleCache cache(&clock, absl::ZeroDuration(), 100);
  cache.Put("Bearer a", v1::ROLE_VIEWER);
  EXPECT_FALSE(cache.Lookup("Bearer a").has_value());
}

TEST(RoleCacheTest, StaysBounded) {
  SimulatedClock clock;
  RoleCache cache(&clock, absl::Seconds(10), 3);
  for (int i = 0; i < 100; ++i) cache.Put("t" + std::to_string(i), v1::ROLE_VIEWER);
  EXPECT_LE(cache.size(), 3u);
  EXPECT_TRUE(cache.Lookup("t99").has_value());
}

}  // namespace
}  // namespace uptime::gateway
