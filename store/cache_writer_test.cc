// CacheWriter against a real Redis and PostgreSQL: history the writer could
// not append (Redis restarted, or paused longer than the backlog's bound) is
// counted and refilled from PostgreSQL, until every monitor's Redis history
// equals PostgreSQL's newest results.
#include "store/cache_writer.h"

#include <atomic>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_result_store.h"
#include "store/redis/redis_client.h"
#include "store/redis/redis_status_cache.h"
#include "store/testing/store_test_env.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_server.h"

namespace uptime::testing {
namespace {

constexpr int kMonitors = 40;
constexpr int kHistory = 25;

std::string MonitorId(int i) { return absl::StrCat("mon-", i); }

class CacheWriterRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dsn = FreshDatabase();
    ASSERT_TRUE(dsn.ok()) << dsn.status();
    pool_ = std::make_unique<store::PgPool>(store::PgPoolOptions{.conn = {.dsn = *dsn}, .size = 4});
    results_ = std::make_unique<store::PgResultStore>(pool_.get());
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    cache_ = std::make_unique<store::RedisStatusCache>(
        store::RedisStatusCacheOptions{
            .redis = {.host_port = redis_->host_port(),
                      .reconnect_backoff = absl::Milliseconds(50)},
            .history_length = kHistory},
        RealClock::Get());
  }

  void TearDown() override {
    StopWriting();
    if (writer_ != nullptr) writer_->Stop();
  }

  void MakeWriter(size_t max_pending) {
    writer_ = std::make_unique<store::CacheWriter>(
        cache_.get(),
        [this] {
          // Every monitor has results once the first batch is durable.
          std::vector<v1::MonitorStatus> all(kMonitors);
          for (int i = 0; i < kMonitors; ++i) {
            all[i].set_monitor_id(MonitorId(i));
            if (batches_.load() > 0) all[i].mutable_last_result()->set_monitor_id(MonitorId(i));
          }
          return all;
        },
        [this](const std::string& id, int limit) { return Newest(id, limit); },
        store::CacheWriterOptions{.interval = absl::Milliseconds(10),
                                  .max_pending_results = max_pending,
                                  .history_length = kHistory,
                                  .refill_batch = 7},
        RealClock::Get());
    writer_->Start();
  }

  absl::StatusOr<std::vector<v1::CheckResult>> Newest(const std::string& id, int limit) {
    absl::StatusOr<store::ResultPage> page =
        results_->ListResults({.monitor_id = id, .page_size = limit});
    if (!page.ok()) return page.status();
    return std::move(page->results);
  }

  // Writes batches as the coordinator does (ticket, PostgreSQL, hand-over)
  // on another thread until StopWriting(): one result per monitor each.
  void StartWriting() {
    writing_ = std::thread([this] {
      int64_t start_us = 1'700'000'000'000'000;
      while (!stop_writing_.load()) {
        std::vector<v1::CheckResult> batch;
        ++start_us;
        for (int i = 0; i < kMonitors; ++i) {
          v1::CheckResult& r = batch.emplace_back();
          r.set_monitor_id(MonitorId(i));
          r.set_agent_id("agent-1");
          r.set_location("eu");
          r.set_start_time_us(start_us);
          r.set_success(i % 3 != 0);
          r.set_latency_us(1000 + i);
        }
        const uint64_t ticket = writer_->BeginAppend();
        if (!results_->WriteBatch(batch, {}).ok()) {
          writer_->CancelAppend(ticket);
          continue;
        }
        writer_->AppendHistory(ticket, std::move(batch));
        ++batches_;
        absl::SleepFor(absl::Milliseconds(2));
      }
    });
  }

  void StopWriting() {
    stop_writing_ = true;
    if (writing_.joinable()) writing_.join();
  }

  // True when every monitor's Redis history is PostgreSQL's newest kHistory.
  bool HistoryMatchesPostgres() {
    for (int i = 0; i < kMonitors; ++i) {
      absl::StatusOr<std::vector<v1::CheckResult>> want = Newest(MonitorId(i), kHistory);
      absl::StatusOr<std::vector<v1::CheckResult>> got = cache_->History(MonitorId(i), kHistory);
      if (!want.ok() || !got.ok() || want->size() != got->size()) return false;
      for (size_t j = 0; j < want->size(); ++j) {
        if (!google::protobuf::util::MessageDifferencer::Equals((*want)[j], (*got)[j])) {
          return false;
        }
      }
    }
    return true;
  }

  std::unique_ptr<store::PgPool> pool_;
  std::unique_ptr<store::PgResultStore> results_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<store::RedisStatusCache> cache_;
  std::unique_ptr<store::CacheWriter> writer_;
  std::atomic<int> batches_{0};
  std::atomic<bool> stop_writing_{false};
  std::thread writing_;
};

TEST_F(CacheWriterRecoveryTest, RedisRestartedWhileWritingEndsWithPostgresHistory) {
  MakeWriter(/*max_pending=*/100'000);
  StartWriting();
  ASSERT_EVENTUALLY(batches_.load() >= 30, absl::Seconds(20));
  ASSERT_TRUE(redis_->Stop().ok());  // everything in Redis is gone
  const int at_stop = batches_.load();
  ASSERT_EVENTUALLY(batches_.load() >= at_stop + 20, absl::Seconds(20));
  ASSERT_TRUE(redis_->StartAgain().ok());
  const int at_start = batches_.load();
  ASSERT_EVENTUALLY(batches_.load() >= at_start + 20, absl::Seconds(20));
  StopWriting();

  ASSERT_EVENTUALLY(writer_->stats().stale_monitors == 0 && writer_->stats().backlog == 0 &&
                        HistoryMatchesPostgres(),
                    absl::Seconds(20));
  const store::CacheWriterStats stats = writer_->stats();
  EXPECT_GT(stats.results_dropped, 0u);  // said so while Redis was down
  EXPECT_GE(stats.monitors_refilled, static_cast<uint64_t>(kMonitors));
  // Statuses came back too.
  absl::StatusOr<std::vector<v1::MonitorStatus>> statuses = cache_->GetAll();
  ASSERT_TRUE(statuses.ok()) << statuses.status();
  EXPECT_EQ(statuses->size(), static_cast<size_t>(kMonitors));
}

TEST_F(CacheWriterRecoveryTest, SlowRedisCountsDropsWithinItsBoundAndCatchesUp) {
  constexpr size_t kBound = 2 * kMonitors;
  MakeWriter(kBound);
  StartWriting();
  ASSERT_EVENTUALLY(batches_.load() >= 10, absl::Seconds(20));
  // Redis answers nobody for a second: the writer's pipeline waits (within
  // its command timeout) while batches keep coming, past the bound.
  store::RedisClient admin({.host_port = redis_->host_port()}, RealClock::Get());
  ASSERT_TRUE(admin.Pipeline({{"CLIENT", "PAUSE", "1000", "ALL"}}).ok());
  const int at_pause = batches_.load();
  ASSERT_EVENTUALLY(batches_.load() >= at_pause + 30, absl::Seconds(20));
  ASSERT_EVENTUALLY(writer_->stats().results_dropped > 0, absl::Seconds(10));
  StopWriting();

  ASSERT_EVENTUALLY(writer_->stats().stale_monitors == 0 && writer_->stats().backlog == 0 &&
                        HistoryMatchesPostgres(),
                    absl::Seconds(20));
  const store::CacheWriterStats stats = writer_->stats();
  EXPECT_LE(stats.max_backlog, kBound);  // memory stayed bounded
  EXPECT_GT(stats.monitors_refilled, 0u);
}

}  // namespace
}  // namespace uptime::testing
