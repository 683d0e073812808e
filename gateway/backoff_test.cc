#include "gateway/backoff.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

TEST(BackoffTest, DoublesUpToTheCapWithJitter) {
  double u = 1.0;
  Backoff b(absl::Milliseconds(100), absl::Seconds(1), [&u] { return u; });
  EXPECT_EQ(b.Next(), absl::Milliseconds(100));
  EXPECT_EQ(b.Next(), absl::Milliseconds(200));
  EXPECT_EQ(b.Next(), absl::Milliseconds(400));
  EXPECT_EQ(b.Next(), absl::Milliseconds(800));
  EXPECT_EQ(b.Next(), absl::Seconds(1));
  for (int i = 0; i < 100; ++i) b.Next();
  EXPECT_EQ(b.Next(), absl::Seconds(1));
  u = 0.0;
  EXPECT_EQ(b.Next(), absl::Milliseconds(500));
  b.Reset();
  EXPECT_EQ(b.Next(), absl::Milliseconds(50));
}

}  // namespace
}  // namespace uptime::gateway
