#include "common/worker_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace uptime {
namespace {

TEST(WorkerPoolTest, RunsEverySubmittedTask) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool({.threads = 2, .max_queued = 100});
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
  }  // the destructor runs what is queued
  EXPECT_EQ(ran.load(), 100);
}

TEST(WorkerPoolTest, ABlockedTaskHoldsOneWorkerOnly) {
  WorkerPool pool({.threads = 2, .max_queued = 10});
  absl::Notification release;
  absl::Notification other_ran;
  ASSERT_TRUE(pool.TrySubmit([&] { release.WaitForNotification(); }));
  ASSERT_TRUE(pool.TrySubmit([&] { other_ran.Notify(); }));
  other_ran.WaitForNotification();  // would hang if the stalled task blocked the pool
  release.Notify();
}

TEST(WorkerPoolTest, RefusesWhenTheQueueIsFull) {
  WorkerPool pool({.threads = 1, .max_queued = 1});
  absl::Notification started, release;
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  EXPECT_TRUE(pool.TrySubmit([] {}));   // waits in the queue
  EXPECT_FALSE(pool.TrySubmit([] {}));  // over the bound
  EXPECT_EQ(pool.queued(), 1u);
  release.Notify();
}

TEST(WorkerPoolTest, RefusesAfterStop) {
  WorkerPool pool({.threads = 1, .max_queued = 4});
  pool.Stop();
  EXPECT_FALSE(pool.TrySubmit([] {}));
  pool.Stop();  // idempotent
}

}  // namespace
}  // namespace uptime
