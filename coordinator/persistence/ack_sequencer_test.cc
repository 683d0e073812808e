// AckSequencer: callbacks run in ticket order whatever order tickets
// complete in, each once, including from a callback that registers more.
#include "coordinator/persistence/ack_sequencer.h"

#include <vector>

#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

TEST(AckSequencerTest, RunsInTicketOrderWhateverTheCompletionOrder) {
  AckSequencer acks;
  std::vector<int> ran;
  std::vector<uint64_t> tickets;
  for (int i = 0; i < 4; ++i) tickets.push_back(acks.Register([&ran, i] { ran.push_back(i); }));
  acks.Complete({&tickets[2], 1});
  acks.Complete({&tickets[1], 1});
  EXPECT_TRUE(ran.empty());  // ticket 0 is not durable yet
  acks.Complete({&tickets[0], 1});
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2}));
  acks.Complete({&tickets[3], 1});
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3}));
}

TEST(AckSequencerTest, AnEmptyCallbackStillHoldsItsPlace) {
  AckSequencer acks;
  std::vector<int> ran;
  const uint64_t first = acks.Register(nullptr);
  const uint64_t second = acks.Register([&ran] { ran.push_back(2); });
  acks.Complete({&second, 1});
  EXPECT_TRUE(ran.empty());
  acks.Complete({&first, 1});
  EXPECT_EQ(ran, (std::vector<int>{2}));
}

TEST(AckSequencerTest, ACallbackMayRegisterAndCompleteAnother) {
  AckSequencer acks;
  std::vector<int> ran;
  const uint64_t first = acks.Register([&] {
    ran.push_back(1);
    const uint64_t next = acks.Register([&ran] { ran.push_back(2); });
    acks.Complete({&next, 1});  // delivered by the loop already running
  });
  acks.Complete({&first, 1});
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace uptime::coordinator
