#include "gateway/sse.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

TEST(SseTest, FramesWithIdTypeAndData) {
  EXPECT_EQ(SseFrame(7, "state_change", "{\"a\":1}"),
            "id: 7\nevent: state_change\ndata: {\"a\":1}\n\n");
}

TEST(SseTest, LineBreaksInDataCannotEndTheEvent) {
  EXPECT_EQ(SseFrame(1, "x", "a\nb\r\nc\rd"), "id: 1\nevent: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
}

TEST(SseTest, FramesWithoutIdLeaveTheResumePointAlone) {
  EXPECT_EQ(SseFrameWithoutId("result", "{}\n{}"), "event: result\ndata: {}\ndata: {}\n\n");
}

TEST(SseTest, LastEventIdFromHeaderOrQuery) {
  EXPECT_EQ(ParseLastEventId("42", ""), 42u);
  EXPECT_EQ(ParseLastEventId(" 42 ", "9"), 42u);
  EXPECT_EQ(ParseLastEventId("", "9"), 9u);
  EXPECT_EQ(ParseLastEventId("x", "9"), std::nullopt);
  EXPECT_EQ(ParseLastEventId("", ""), std::nullopt);
  EXPECT_EQ(ParseLastEventId("-1", ""), std::nullopt);
}

}  // namespace
}  // namespace uptime::gateway
