#include "gateway/replay_buffer.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

std::shared_ptr<const SseEvent> Event(uint64_t id) {
  auto e = std::make_shared<SseEvent>();
  e->id = id;
  return e;
}

TEST(ReplayBufferTest, ReplaysWhatWasMissed) {
  ReplayBuffer buf(3);
  for (uint64_t id = 100; id <= 104; ++id) buf.Add(Event(id));  // keeps 102..104
  std::vector<std::shared_ptr<const SseEvent>> out;
  ASSERT_TRUE(buf.Since(102, 104, &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->id, 103u);
  ASSERT_TRUE(buf.Since(101, 104, &out));
  EXPECT_EQ(out.size(), 3u);
  ASSERT_TRUE(buf.Since(104, 104, &out));
  EXPECT_TRUE(out.empty());
}

TEST(ReplayBufferTest, GapsItCannotCoverFail) {
  ReplayBuffer buf(3);
  for (uint64_t id = 100; id <= 104; ++id) buf.Add(Event(id));
  std::vector<std::shared_ptr<const SseEvent>> out;
  EXPECT_FALSE(buf.Since(100, 104, &out));  // 101 is gone
  EXPECT_FALSE(buf.Since(105, 104, &out));  // from the future: another process
  ReplayBuffer empty(3);
  EXPECT_TRUE(empty.Since(99, 99, &out));
  EXPECT_FALSE(empty.Since(5, 99, &out));  // an id from an earlier process
}

}  // namespace
}  // namespace uptime::gateway
