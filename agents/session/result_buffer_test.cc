#include "agents/session/result_buffer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

std::vector<v1::CheckResult> Make(int n, int first = 0) {
  std::vector<v1::CheckResult> rs(n);
  for (int i = 0; i < n; ++i) rs[i].set_monitor_id(absl::StrCat("m", first + i));
  return rs;
}

std::vector<uint64_t> Sequences(const std::vector<ResultBuffer::Message>& msgs) {
  std::vector<uint64_t> seqs;
  for (const auto& m : msgs) seqs.push_back(m->results().sequence());
  return seqs;
}

TEST(ResultBufferTest, BatchesBySize) {
  ResultBuffer buf({.batch_size = 3, .batch_delay = absl::Seconds(1), .max_results = 100});
  buf.Add(Make(7), kT0);
  auto sent = buf.TakeUnsent();
  ASSERT_EQ(Sequences(sent), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(sent[0]->results().results(0).monitor_id(), "m0");
  EXPECT_EQ(sent[1]->results().results(2).monitor_id(), "m5");
  EXPECT_EQ(buf.pending_results(), 1u);
  EXPECT_TRUE(buf.TakeUnsent().empty());
}

TEST(ResultBufferTest, BatchesByAge) {
  ResultBuffer buf({.batch_size = 500, .batch_delay = absl::Milliseconds(100)});
  buf.Add(Make(2), kT0);
  buf.Add(Make(1, 2), kT0 + absl::Milliseconds(50));
  EXPECT_EQ(buf.FlushDeadline(), kT0 + absl::Milliseconds(100));
  buf.Flush(kT0 + absl::Milliseconds(99), false);
  EXPECT_FALSE(buf.HasUnsent());
  buf.Flush(kT0 + absl::Milliseconds(100), false);
  auto sent = buf.TakeUnsent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]->results().results_size(), 3);
  EXPECT_FALSE(buf.FlushDeadline().has_value());
}

TEST(ResultBufferTest, AckIsCumulativeAndResendKeepsSequences) {
  ResultBuffer buf({.batch_size = 1});
  buf.Add(Make(4), kT0);
  EXPECT_EQ(Sequences(buf.TakeUnsent()), (std::vector<uint64_t>{1, 2, 3, 4}));
  buf.Ack(2);
  EXPECT_EQ(buf.unacked_batches(), 2u);
  // The stream broke: a new one gets the unacked batches again, same numbers.
  buf.RewindForResend();
  buf.Add(Make(1, 4), kT0);
  EXPECT_EQ(Sequences(buf.TakeUnsent()), (std::vector<uint64_t>{3, 4, 5}));
  buf.Ack(5);
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.acked_sequence(), 5u);
  buf.Ack(3);  // a stale ack changes nothing
  EXPECT_EQ(buf.acked_sequence(), 5u);
}

TEST(ResultBufferTest, AckOfSomeSentBatchesKeepsTheRestUnsent) {
  ResultBuffer buf({.batch_size = 1});
  buf.Add(Make(2), kT0);
  EXPECT_EQ(buf.TakeUnsent().size(), 2u);
  buf.Add(Make(1, 2), kT0);
  buf.Ack(1);
  EXPECT_EQ(Sequences(buf.TakeUnsent()), (std::vector<uint64_t>{3}));
}

TEST(ResultBufferTest, FullBufferDropsOldestAndCounts) {
  ResultBuffer buf({.batch_size = 10, .max_results = 30});
  buf.Add(Make(25), kT0);
  EXPECT_EQ(buf.dropped_results(), 0);
  buf.Add(Make(20, 25), kT0);  // 45 > 30: the two oldest batches go
  EXPECT_EQ(buf.dropped_results(), 20);
  EXPECT_EQ(buf.buffered_results(), 25u);
  auto sent = buf.TakeUnsent();
  ASSERT_EQ(Sequences(sent), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(sent[0]->results().results(0).monitor_id(), "m20");
}

}  // namespace
}  // namespace uptime::agent
