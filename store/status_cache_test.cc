// StatusCache contract against the in-memory cache and a real Redis, plus
// reconnection after Redis restarts.
#include "store/cache_writer.h"
#include "store/memory/memory_status_cache.h"
#include "store/status_cache.h"

#include "common/clock.h"
#include "gtest/gtest.h"
#include "store/redis/redis_status_cache.h"
#include "store/testing/store_test_env.h"
#include "tests/support/eventually.h"
#include "tests/support/redis_server.h"

namespace uptime::testing {
namespace {

struct MemoryCache {
  static std::string Name() { return "Memory"; }
  absl::Status SetUp() { return absl::OkStatus(); }
  std::unique_ptr<store::StatusCache> Make(int history) {
    return std::make_unique<store::MemoryStatusCache>(history);
  }
};

struct RedisCache {
  static std::string Name() { return "Redis"; }
  absl::Status SetUp() {
    absl::StatusOr<std::unique_ptr<RedisServer>> started = RedisServer::Start();
    if (!started.ok()) return started.status();
    server = *std::move(started);
    return absl::OkStatus();
  }
  std::unique_ptr<store::StatusCache> Make(int history) {
    return std::make_unique<store::RedisStatusCache>(
        store::RedisStatusCacheOptions{.redis = {.host_port = server->host_port()},
                                       .history_length = history},
        RealClock::Get());
  }
  std::unique_ptr<RedisServer> server;
};

v1::MonitorStatus Status(const std::string& id, v1::State state) {
  v1::MonitorStatus s;
  s.set_monitor_id(id);
  s.set_monitor_name("name of " + id);
  s.set_state(state);
  s.mutable_since()->set_seconds(1'700'000'000);
  s.set_consecutive_failures(state == v1::STATE_DOWN ? 3 : 0);
  s.add_agent_ids("agent-1");
  return s;
}

v1::CheckResult Result(const std::string& monitor, int64_t start_us) {
  v1::CheckResult r;
  r.set_monitor_id(monitor);
  r.set_start_time_us(start_us);
  r.set_success(true);
  return r;
}

template <typename Backend>
class StatusCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status s = backend_.SetUp();
    ASSERT_TRUE(s.ok()) << s;
    cache_ = backend_.Make(/*history=*/5);
  }

  Backend backend_;
  std::unique_ptr<store::StatusCache> cache_;
};

using CacheBackends = ::testing::Types<MemoryCache, RedisCache>;
TYPED_TEST_SUITE(StatusCacheTest, CacheBackends, BackendNames);

TYPED_TEST(StatusCacheTest, PutGetAndGetAll) {
  EXPECT_TRUE(absl::IsNotFound(this->cache_->Get("mon-1").status()));
  ASSERT_TRUE(this->cache_->Put({Status("mon-2", v1::STATE_UP), Status("mon-1", v1::STATE_DOWN)}).ok());
  ASSERT_TRUE(this->cache_->Put({Status("mon-2", v1::STATE_DOWN)}).ok());

  absl::StatusOr<v1::MonitorStatus> one = this->cache_->Get("mon-2");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_TRUE(ProtoEq(Status("mon-2", v1::STATE_DOWN), *one));
  absl::StatusOr<std::vector<v1::MonitorStatus>> all = this->cache_->GetAll();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].monitor_id(), "mon-1");
  EXPECT_EQ((*all)[1].state(), v1::STATE_DOWN);

  ASSERT_TRUE(this->cache_->Remove({"mon-1"}).ok());
  EXPECT_TRUE(absl::IsNotFound(this->cache_->Get("mon-1").status()));
  EXPECT_EQ(this->cache_->GetAll()->size(), 1u);
}

TYPED_TEST(StatusCacheTest, HistoryIsNewestFirstAndCapped) {
  std::vector<v1::CheckResult> batch;
  for (int i = 1; i <= 4; ++i) batch.push_back(Result("mon-1", i));
  batch.push_back(Result("mon-2", 100));
  ASSERT_TRUE(this->cache_->AppendHistory(batch).ok());
  ASSERT_TRUE(this->cache_->AppendHistory({Result("mon-1", 5), Result("mon-1", 6)}).ok());

  absl::StatusOr<std::vector<v1::CheckResult>> history = this->cache_->History("mon-1", 100);
  ASSERT_TRUE(history.ok()) << history.status();
  std::vector<int64_t> starts;
  for (const auto& r : *history) starts.push_back(r.start_time_us());
  EXPECT_EQ(starts, (std::vector<int64_t>{6, 5, 4, 3, 2}));  // capped at 5
  EXPECT_EQ(this->cache_->History("mon-1", 2)->size(), 2u);
  EXPECT_EQ(this->cache_->History("mon-2", 10)->size(), 1u);
  EXPECT_TRUE(this->cache_->History("mon-none", 10)->empty());
}

TYPED_TEST(StatusCacheTest, CacheWriterCoalescesStatusesAndAppendsHistory) {
  int snapshots = 0;
  store::CacheWriter writer(
      this->cache_.get(),
      [&snapshots] {
        ++snapshots;
        return std::vector<v1::MonitorStatus>{Status("mon-3", v1::STATE_UP)};
      },
      nullptr, {.interval = absl::Milliseconds(5)}, RealClock::Get());
  writer.Start();
  writer.Put({Status("mon-1", v1::STATE_UP), Status("mon-1", v1::STATE_DOWN)});
  writer.AppendHistory(writer.BeginAppend(), {Result("mon-1", 1), Result("mon-1", 2)});
  writer.AppendHistory(writer.BeginAppend(), {Result("mon-1", 3)});
  writer.Stop();  // flushes what is pending

  EXPECT_EQ(this->cache_->Get("mon-1")->state(), v1::STATE_DOWN);  // the latest won
  EXPECT_EQ(this->cache_->Get("mon-3")->state(), v1::STATE_UP);    // from the snapshot
  EXPECT_EQ(snapshots, 2);  // at Start(), and for the first write of every status
  absl::StatusOr<std::vector<v1::CheckResult>> history = this->cache_->History("mon-1", 10);
  ASSERT_TRUE(history.ok()) << history.status();
  std::vector<int64_t> starts;
  for (const auto& r : *history) starts.push_back(r.start_time_us());
  EXPECT_EQ(starts, (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(writer.stats().results_dropped, 0u);
  EXPECT_EQ(writer.stats().results_appended, 3u);
}

TYPED_TEST(StatusCacheTest, CacheWriterDropsHistoryPastItsBound) {
  store::CacheWriter writer(this->cache_.get(), [] { return std::vector<v1::MonitorStatus>{}; },
                            nullptr, {.max_pending_results = 2}, RealClock::Get());
  // Not started: everything stays pending.
  writer.AppendHistory(writer.BeginAppend(), {Result("mon-1", 1), Result("mon-1", 2)});
  writer.AppendHistory(writer.BeginAppend(), {Result("mon-2", 3)});
  const store::CacheWriterStats stats = writer.stats();
  EXPECT_EQ(stats.backlog, 2u);
  EXPECT_EQ(stats.results_dropped, 1u);
  EXPECT_EQ(stats.stale_monitors, 1u);  // mon-2, to be refilled
}

TYPED_TEST(StatusCacheTest, ReplaceHistoryAndMarkContents) {
  ASSERT_TRUE(this->cache_->AppendHistory({Result("mon-1", 1), Result("mon-2", 1)}).ok());
  ASSERT_TRUE(this->cache_
                  ->ReplaceHistory({{.monitor_id = "mon-1",
                                     .results = {Result("mon-1", 9), Result("mon-1", 8)}},
                                    {.monitor_id = "mon-2"}})
                  .ok());
  absl::StatusOr<std::vector<v1::CheckResult>> history = this->cache_->History("mon-1", 10);
  ASSERT_TRUE(history.ok()) << history.status();
  std::vector<int64_t> starts;
  for (const auto& r : *history) starts.push_back(r.start_time_us());
  EXPECT_EQ(starts, (std::vector<int64_t>{9, 8}));
  EXPECT_TRUE(this->cache_->History("mon-2", 10)->empty());

  absl::StatusOr<bool> first = this->cache_->MarkContents();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);  // nothing marked it before
  EXPECT_FALSE(*this->cache_->MarkContents());
}

TYPED_TEST(StatusCacheTest, LongHistoryStaysCapped) {
  std::unique_ptr<store::StatusCache> cache = this->backend_.Make(/*history=*/16);
  for (int i = 1; i <= 100; ++i) ASSERT_TRUE(cache->AppendHistory({Result("mon-1", i)}).ok());
  absl::StatusOr<std::vector<v1::CheckResult>> history = cache->History("mon-1", 1000);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 16u);
  EXPECT_EQ(history->front().start_time_us(), 100);
  EXPECT_EQ(history->back().start_time_us(), 85);
}

TYPED_TEST(StatusCacheTest, PublishSucceeds) {
  EXPECT_TRUE(this->cache_->Publish("uptime:events", std::string("\0binary", 7)).ok());
  EXPECT_GE(this->cache_->generation(), 1u);
}

TEST(RedisStatusCacheTest, UnavailableWhileDownAndReconnectsAfterRestart) {
  absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  store::RedisStatusCache cache(
      {.redis = {.host_port = (*server)->host_port(),
                 .reconnect_backoff = absl::Milliseconds(100)}},
      RealClock::Get());
  ASSERT_TRUE(cache.Put({Status("mon-1", v1::STATE_UP)}).ok());
  ASSERT_TRUE(*cache.MarkContents());
  const uint64_t generation = cache.generation();

  ASSERT_TRUE((*server)->Stop().ok());
  absl::Status down = cache.Put({Status("mon-1", v1::STATE_DOWN)});
  EXPECT_TRUE(absl::IsUnavailable(down)) << down;
  EXPECT_TRUE(absl::IsUnavailable(cache.Get("mon-1").status()));

  ASSERT_TRUE((*server)->StartAgain().ok());
  ASSERT_EVENTUALLY(cache.Put({Status("mon-1", v1::STATE_DOWN)}).ok(), absl::Seconds(5));
  EXPECT_TRUE(*cache.MarkContents());  // the restart lost the marker with the rest
  EXPECT_GT(cache.generation(), generation);  // tells the owner to rewrite everything
  absl::StatusOr<v1::MonitorStatus> back = cache.Get("mon-1");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->state(), v1::STATE_DOWN);
}

TEST(RedisStatusCacheTest, UnreachableServerIsUnavailable) {
  store::RedisStatusCache cache({.redis = {.host_port = "127.0.0.1:1"}}, RealClock::Get());
  EXPECT_TRUE(absl::IsUnavailable(cache.Put({Status("mon-1", v1::STATE_UP)})));
  // Within the backoff the error comes back without dialling.
  absl::Status again = cache.Get("mon-1").status();
  EXPECT_TRUE(absl::IsUnavailable(again)) << again;
}

TEST(RedisStatusCacheTest, MonitorLabelsAreReplacedAsAWhole) {
  absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  store::RedisStatusCache cache({.redis = {.host_port = (*server)->host_port()}},
                                RealClock::Get());
  EXPECT_TRUE(absl::IsNotFound(cache.GetMonitorLabels().status()));
  // A monitor without labels is recorded too: its labels are known (none).
  ASSERT_TRUE(cache.PutMonitorLabels({{"mon-1", {{"team", "core"}, {"env", "prod"}}},
                                      {"mon-2", {}}})
                  .ok());
  absl::StatusOr<store::RedisStatusCache::LabelsById> labels = cache.GetMonitorLabels();
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_EQ(*labels, (store::RedisStatusCache::LabelsById{
                         {"mon-1", {{"env", "prod"}, {"team", "core"}}}, {"mon-2", {}}}));
  // The next write replaces everything: a deleted monitor's labels go.
  ASSERT_TRUE(cache.PutMonitorLabels({{"mon-2", {{"team", "web"}}}}).ok());
  EXPECT_EQ(*cache.GetMonitorLabels(),
            (store::RedisStatusCache::LabelsById{{"mon-2", {{"team", "web"}}}}));
  // An empty fleet is a record too, not "never written".
  ASSERT_TRUE(cache.PutMonitorLabels({}).ok());
  ASSERT_TRUE(cache.GetMonitorLabels().ok());
  EXPECT_TRUE(cache.GetMonitorLabels()->empty());
}

}  // namespace
}  // namespace uptime::testing
