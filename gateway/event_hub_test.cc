#include "gateway/event_hub.h"

#include <vector>

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

class FakeSink : public SseSink {
 public:
  explicit FakeSink(size_t capacity = 1000) : capacity_(capacity) {}
  bool Send(std::shared_ptr<const std::string> frame) override {
    if (frames.size() >= capacity_) return false;
    frames.push_back(*frame);
    return true;
  }
  std::vector<std::string> frames;

 private:
  size_t capacity_;
};

LabelSelector Selector(const std::string& text) { return *LabelSelector::Parse("s", text); }

TEST(EventHubTest, FiltersBySelectorAndNumbersEvents) {
  EventHub hub(1000, 10);
  auto prod = std::make_shared<FakeSink>();
  auto all = std::make_shared<FakeSink>();
  hub.Subscribe(prod, Selector("env=prod"), std::nullopt);
  hub.Subscribe(all, LabelSelector(), std::nullopt);
  hub.Publish("state_change", "{}", {{"env", "prod"}});
  hub.Publish("state_change", "{}", {{"env", "dev"}});
  ASSERT_EQ(prod->frames.size(), 1u);
  EXPECT_EQ(prod->frames[0], "id: 1000\nevent: state_change\ndata: {}\n\n");
  ASSERT_EQ(all->frames.size(), 2u);
  EXPECT_EQ(all->frames[1], "id: 1001\nevent: state_change\ndata: {}\n\n");
  hub.PublishResync("upstream reconnected");
  EXPECT_EQ(prod->frames.size(), 2u);  // resync goes to everyone
  EXPECT_EQ(hub.last_id(), 1002u);
}

TEST(EventHubTest, FiltersByMonitorIdsAlsoWhenReplaying) {
  EventHub hub(1, 10);
  auto two = std::make_shared<FakeSink>();
  hub.Subscribe(two, Selector("env=prod"), std::nullopt, {"mon-a", "mon-b"});
  hub.Publish("state_change", "a", {{"env", "prod"}}, "mon-a");
  hub.Publish("state_change", "c", {{"env", "prod"}}, "mon-c");
  hub.Publish("state_change", "b", {{"env", "dev"}}, "mon-b");  // the selector still applies
  ASSERT_EQ(two->frames.size(), 1u);
  EXPECT_EQ(two->frames[0], "id: 1\nevent: state_change\ndata: a\n\n");

  auto resumed = std::make_shared<FakeSink>();
  hub.Subscribe(resumed, LabelSelector(), 0, {"mon-c"});
  ASSERT_EQ(resumed->frames.size(), 1u);
  EXPECT_EQ(resumed->frames[0], "id: 2\nevent: state_change\ndata: c\n\n");
}

TEST(EventHubTest, ResumeReplaysOrAnnouncesTheGap) {
  EventHub hub(1, 3);
  for (int i = 0; i < 5; ++i) hub.Publish("state_change", std::to_string(i), {});
  auto resumed = std::make_shared<FakeSink>();
  hub.Subscribe(resumed, LabelSelector(), 3);  // missed 4 and 5: both kept
  ASSERT_EQ(resumed->frames.size(), 2u);
  EXPECT_EQ(resumed->frames[0], "id: 4\nevent: state_change\ndata: 3\n\n");
  auto too_old = std::make_shared<FakeSink>();
  hub.Subscribe(too_old, LabelSelector(), 1);  // 2 is gone
  ASSERT_EQ(too_old->frames.size(), 1u);
  EXPECT_EQ(too_old->frames[0], "id: 5\nevent: resync\ndata: {\"reason\":\"gap\"}\n\n");
  // Both then get new events.
  hub.Publish("state_change", "x", {});
  EXPECT_EQ(resumed->frames.size(), 3u);
  EXPECT_EQ(too_old->frames.size(), 2u);
}

TEST(EventHubTest, DropsClientsThatAreFullOrGone) {
  EventHub hub(1, 10);
  auto slow = std::make_shared<FakeSink>(1);
  auto fast = std::make_shared<FakeSink>();
  auto gone = std::make_shared<FakeSink>();
  hub.Subscribe(slow, LabelSelector(), std::nullopt);
  hub.Subscribe(fast, LabelSelector(), std::nullopt);
  hub.Subscribe(gone, LabelSelector(), std::nullopt);
  gone.reset();
  EXPECT_EQ(hub.clients(), 3u);
  for (int i = 0; i < 5; ++i) hub.Publish("state_change", "x", {});
  EXPECT_EQ(slow->frames.size(), 1u);
  EXPECT_EQ(fast->frames.size(), 5u);
  EXPECT_EQ(hub.clients(), 1u);
}

TEST(EventHubTest, ResultsGoOnlyToClientsThatAskedAndMatch) {
  EventHub hub(1, 10);
  auto states_only = std::make_shared<FakeSink>();
  auto prod = std::make_shared<FakeSink>();
  auto one = std::make_shared<FakeSink>();
  hub.Subscribe(states_only, LabelSelector(), std::nullopt);
  hub.Subscribe(prod, Selector("env=prod"), std::nullopt, {}, /*include_results=*/true);
  hub.Subscribe(one, LabelSelector(), std::nullopt, {"mon-b"}, /*include_results=*/true);
  EXPECT_EQ(hub.result_clients(), 2u);
  int renders = 0;
  auto render = [&renders] {
    ++renders;
    return std::string("{\"result\":{}}");
  };
  EXPECT_EQ(hub.PublishResult("mon-a", {{"env", "prod"}}, render), 1u);
  EXPECT_EQ(hub.PublishResult("mon-b", {{"env", "prod"}}, render), 2u);
  EXPECT_EQ(hub.PublishResult("mon-b", {{"env", "dev"}}, render), 1u);
  EXPECT_EQ(hub.PublishResult("mon-c", {{"env", "dev"}}, render), 0u);
  EXPECT_EQ(renders, 3);  // once per result someone wanted; never for none
  EXPECT_TRUE(states_only->frames.empty());
  ASSERT_EQ(prod->frames.size(), 2u);
  // No id: the client's resume point stays its last state change.
  EXPECT_EQ(prod->frames[0], "event: result\ndata: {\"result\":{}}\n\n");
  EXPECT_EQ(one->frames.size(), 2u);
}

TEST(EventHubTest, ResultsAreNotReplayedAndEvictNoStateChange) {
  EventHub hub(1, 2);
  hub.Publish("state_change", "s1", {});
  for (int i = 0; i < 100; ++i) {
    auto watcher = std::make_shared<FakeSink>();
    hub.Subscribe(watcher, LabelSelector(), std::nullopt, {}, true);
    hub.PublishResult("m", {}, [] { return std::string("r"); });
  }
  // Id 1 is still in the buffer: a client that saw nothing gets it back.
  auto resumed = std::make_shared<FakeSink>();
  hub.Subscribe(resumed, LabelSelector(), 0, {}, true);
  ASSERT_EQ(resumed->frames.size(), 1u);
  EXPECT_EQ(resumed->frames[0], "id: 1\nevent: state_change\ndata: s1\n\n");
  EXPECT_EQ(hub.last_id(), 1u);  // results take no ids
}

TEST(EventHubTest, SlowOrGoneResultClientsAreDroppedAndUnindexed) {
  EventHub hub(1, 10);
  auto slow = std::make_shared<FakeSink>(2);
  auto gone = std::make_shared<FakeSink>();
  auto fast = std::make_shared<FakeSink>();
  hub.Subscribe(slow, LabelSelector(), std::nullopt, {"m"}, true);
  hub.Subscribe(gone, LabelSelector(), std::nullopt, {}, true);
  const uint64_t fast_id = hub.Subscribe(fast, LabelSelector(), std::nullopt, {"m"}, true);
  gone.reset();
  for (int i = 0; i < 5; ++i) hub.PublishResult("m", {}, [] { return std::string("r"); });
  EXPECT_EQ(slow->frames.size(), 2u);
  EXPECT_EQ(fast->frames.size(), 5u);
  EXPECT_EQ(hub.clients(), 1u);
  EXPECT_EQ(hub.result_clients(), 1u);
  hub.Unsubscribe(fast_id);
  EXPECT_EQ(hub.result_clients(), 0u);
  // Nobody left: nothing is rendered.
  EXPECT_EQ(hub.PublishResult("m", {}, []() -> std::string {
    ADD_FAILURE() << "rendered for nobody";
    return "";
  }),
            0u);
}

}  // namespace
}  // namespace uptime::gateway
