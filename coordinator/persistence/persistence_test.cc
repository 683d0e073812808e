// Persistence with in-memory stores: acks in Enqueue order across writers,
// an agent's sequence never ahead of its data, and failed writes retried
// until nothing is missing.
#include "coordinator/persistence/persistence.h"

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/memory/memory_status_cache.h"
#include "store/memory/memory_incident_store.h"
#include "store/memory/memory_result_store.h"
#include "store/testing/faulty_stores.h"
#include "tests/support/eventually.h"

namespace uptime::coordinator {
namespace {

class PersistenceWritersTest : public ::testing::Test {
 protected:
  void Make(int writers, int failures) {
    // The first `failures` writes fail as if PostgreSQL were down.
    faults_.FailNextWrites(failures);
    results_ = std::make_unique<store::FaultyResultStore>(&memory_results_, &faults_);
    persistence_ = std::make_unique<Persistence>(
        RealClock::Get(), PersistenceOptions{.max_batch_results = 50, .result_writers = writers},
        results_.get(), &incidents_, &cache_, &tracker_, &metrics_);
    persistence_->Start();
  }

  // Enqueues `batches` batches of 10 results for each of `agents` agents,
  // interleaved, and records the order the callbacks run in.
  void Offer(int agents, int batches) {
    for (int b = 1; b <= batches; ++b) {
      for (int a = 0; a < agents; ++a) {
        ASSERT_TRUE(persistence_->TryReserve(10));
        std::vector<v1::CheckResult> results(10);
        for (auto& r : results) {
          r.set_monitor_id(absl::StrCat("mon-", a));
          r.set_agent_id(absl::StrCat("agent-", a));
          r.set_start_time_us(1'700'000'000'000'000 + b);
          r.set_success(true);
        }
        const int ticket = offered_++;
        persistence_->Enqueue(10, std::move(results),
                              {absl::StrCat("agent-", a), "inc-1", static_cast<uint64_t>(b)},
                              [this, ticket] {
                                absl::MutexLock lock(&mu_);
                                done_.push_back(ticket);
                              });
      }
    }
  }

  size_t done() {
    absl::MutexLock lock(&mu_);
    return done_.size();
  }

  store::MemoryIncidentStore incidents_{RealClock::Get()};
  store::MemoryStatusCache cache_;
  EventBus events_;
  StatusTracker tracker_{RealClock::Get(), &events_, nullptr};
  MetricsRegistry metrics_;
  store::MemoryResultStore memory_results_;
  store::StoreFaults faults_;
  std::unique_ptr<store::FaultyResultStore> results_;
  std::unique_ptr<Persistence> persistence_;
  int offered_ = 0;
  absl::Mutex mu_;
  std::vector<int> done_ ABSL_GUARDED_BY(mu_);
};

TEST_F(PersistenceWritersTest, AcksRunInEnqueueOrderAcrossWriters) {
  Make(/*writers=*/4, /*failures=*/0);
  Offer(/*agents=*/8, /*batches=*/50);
  ASSERT_EVENTUALLY(done() == 400u, absl::Seconds(10));
  EXPECT_EQ(persistence_->queued_results(), 0u);
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < 400; ++i) ASSERT_EQ(done_[i], i);
  EXPECT_EQ(results_->rows(), 4000);
  int used = 0;
  for (uint64_t n : persistence_->stats().results_per_writer) used += n > 0;
  EXPECT_GT(used, 1);  // 8 agents spread over 4 writers
}

TEST_F(PersistenceWritersTest, FailedWritesAreRetriedAndNothingIsLost) {
  Make(/*writers=*/2, /*failures=*/3);
  Offer(/*agents=*/4, /*batches=*/20);
  ASSERT_EVENTUALLY(done() == 80u, absl::Seconds(15));
  EXPECT_EQ(results_->rows(), 800);
  // Every agent's recorded sequence is its last batch, never beyond.
  absl::StatusOr<std::vector<store::AgentSequence>> acks = results_->LoadAgentSequences();
  ASSERT_TRUE(acks.ok()) << acks.status();
  ASSERT_EQ(acks->size(), 4u);
  for (const store::AgentSequence& ack : *acks) EXPECT_EQ(ack.last_sequence, 20u);
  // The history reached the cache too, newest first.
  absl::StatusOr<std::vector<v1::CheckResult>> history = cache_.History("mon-0", 1);
  ASSERT_TRUE(history.ok());
  ASSERT_EVENTUALLY(cache_.History("mon-0", 100)->size() == 100u, absl::Seconds(5));
}

TEST_F(PersistenceWritersTest, AGivenBackReservationWaitsForEarlierAcks) {
  Make(/*writers=*/2, /*failures=*/2);
  Offer(/*agents=*/2, /*batches=*/1);
  ASSERT_TRUE(persistence_->TryReserve(5));
  bool released = false;
  persistence_->Enqueue(5, {}, {}, [this, &released] {
    absl::MutexLock lock(&mu_);
    released = done_.size() == 2;  // both earlier batches acked first
  });
  ASSERT_EVENTUALLY(done() == 2u, absl::Seconds(10));
  persistence_->Stop();
  EXPECT_TRUE(released);
  EXPECT_EQ(persistence_->queued_results(), 0u);
}

}  // namespace
}  // namespace uptime::coordinator
