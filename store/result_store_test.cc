// ResultStore contract, run against the in-memory and PostgreSQL stores.
#include "store/result_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/memory/memory_result_store.h"
#include "store/postgres/pg_result_store.h"
#include "store/testing/store_contract_test.h"
#include "store/testing/store_test_env.h"

namespace uptime::testing {
namespace {

using store::AgentSequence;
using store::ResultPage;
using store::ResultQuery;

const absl::Time kResultsNow = absl::FromCivil(absl::CivilSecond(2024, 3, 10, 12, 30, 0), absl::UTCTimeZone());
constexpr absl::Duration kDay = absl::Hours(24);

v1::CheckResult Result(const std::string& monitor, absl::Time start, bool success,
                       int64_t latency_ms, const std::string& agent = "agent-1") {
  v1::CheckResult r;
  r.set_monitor_id(monitor);
  r.set_agent_id(agent);
  r.set_location("eu-west");
  r.set_epoch(7);
  r.set_start_time_us(absl::ToUnixMicros(start));
  r.set_scheduled_time_us(absl::ToUnixMicros(start - absl::Milliseconds(2)));
  r.set_success(success);
  r.set_latency_us(latency_ms * 1000);
  if (!success) {
    r.set_error_kind(v1::ERROR_KIND_STATUS);
    r.set_http_status(503);
    r.set_error_message("HTTP 503");
  }
  return r;
}

const v1::UptimeWindow* Window(const v1::GetUptimeResponse& response, const std::string& name) {
  for (const auto& w : response.windows()) {
    if (w.window() == name) return &w;
  }
  return nullptr;
}

template <typename Backend>
class ResultStoreTest : public StoreContractTest<Backend, store::ResultStore,
                                                 store::MemoryResultStore, store::PgResultStore> {
 protected:
  void Write(const std::vector<v1::CheckResult>& results) {
    absl::Status s = this->store_->WriteBatch(results, {});
    ASSERT_TRUE(s.ok()) << s;
  }

  std::vector<v1::CheckResult> ListAll(ResultQuery query) {
    std::vector<v1::CheckResult> all;
    for (int pages = 0; pages < 100; ++pages) {
      absl::StatusOr<ResultPage> page = this->store_->ListResults(query);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      all.insert(all.end(), page->results.begin(), page->results.end());
      if (page->next_page_token.empty()) break;
      query.page_token = page->next_page_token;
    }
    return all;
  }

  v1::GetUptimeResponse Uptime(const std::string& id, absl::Time now = kResultsNow) {
    absl::StatusOr<v1::GetUptimeResponse> r = this->store_->GetUptime(id, now);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : v1::GetUptimeResponse();
  }
};

TYPED_TEST_SUITE(ResultStoreTest, StoreBackends, BackendNames);

TYPED_TEST(ResultStoreTest, StoresEveryFieldAndListsNewestFirst) {
  v1::CheckResult full = Result("mon-1", kResultsNow - absl::Minutes(5), false, 1500);
  full.set_dns_us(11);
  full.set_connect_us(22);
  full.set_tls_us(33);
  full.set_first_byte_us(44);
  full.set_error_kind(v1::ERROR_KIND_TLS);
  full.set_error_message("tab\there\nnew line \\ backslash \"quoted\" \xc3\xbcnicode");
  full.set_tls_cert_expiry_unix(1'800'000'000);
  const v1::CheckResult newer = Result("mon-1", kResultsNow - absl::Minutes(1), true, 80);
  this->Write({full, newer, Result("mon-2", kResultsNow, true, 5)});

  const std::vector<v1::CheckResult> listed = this->ListAll({.monitor_id = "mon-1"});
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_TRUE(ProtoEq(newer, listed[0]));
  EXPECT_TRUE(ProtoEq(full, listed[1]));
}

TYPED_TEST(ResultStoreTest, ListPagesWithoutGapsAndFilters) {
  std::vector<v1::CheckResult> batch;
  for (int i = 0; i < 12; ++i) {
    // Two agents with identical start times: ties must page cleanly.
    for (const char* agent : {"agent-a", "agent-b"}) {
      batch.push_back(Result("mon-1", kResultsNow - absl::Minutes(i), i % 3 != 0, 10 + i, agent));
    }
  }
  this->Write(batch);

  const std::vector<v1::CheckResult> all = this->ListAll({.monitor_id = "mon-1", .page_size = 5});
  ASSERT_EQ(all.size(), 24u);
  std::set<std::pair<int64_t, std::string>> seen;
  for (size_t i = 0; i < all.size(); ++i) {
    seen.insert({all[i].start_time_us(), all[i].agent_id()});
    if (i > 0) {
      EXPECT_TRUE(all[i - 1].start_time_us() > all[i].start_time_us() ||
                  (all[i - 1].start_time_us() == all[i].start_time_us() &&
                   all[i - 1].agent_id() > all[i].agent_id()));
    }
  }
  EXPECT_EQ(seen.size(), 24u);

  const auto failures = this->ListAll({.monitor_id = "mon-1", .failures_only = true});
  EXPECT_EQ(failures.size(), 8u);  // i = 0, 3, 6, 9 from two agents
  for (const auto& r : failures) EXPECT_FALSE(r.success());

  const auto window = this->ListAll({.monitor_id = "mon-1",
                                     .start = kResultsNow - absl::Minutes(4),
                                     .end = kResultsNow - absl::Minutes(1)});
  EXPECT_EQ(window.size(), 6u);  // minutes 4, 3, 2: start inclusive, end exclusive

  absl::StatusOr<ResultPage> bad =
      this->store_->ListResults({.monitor_id = "mon-1", .page_token = "%%%"});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
}

TYPED_TEST(ResultStoreTest, UptimeWindowsAndDailyBars) {
  this->Write({
      Result("mon-1", kResultsNow - absl::Hours(1), true, 100),
      Result("mon-1", kResultsNow - absl::Hours(1) + absl::Seconds(30), true, 300),
      Result("mon-1", kResultsNow - absl::Hours(2), false, 9000),
      Result("mon-1", kResultsNow - 3 * kDay, false, 9000),
      Result("mon-1", kResultsNow - 3 * kDay, true, 200),
      Result("mon-1", kResultsNow - 20 * kDay, true, 400),
      Result("mon-1", kResultsNow - 60 * kDay, false, 0),
      Result("mon-2", kResultsNow - absl::Hours(1), false, 1),
  });
  const v1::GetUptimeResponse up = this->Uptime("mon-1");
  EXPECT_EQ(up.monitor_id(), "mon-1");
  ASSERT_EQ(up.windows_size(), 4);

  const v1::UptimeWindow* day = Window(up, "24h");
  ASSERT_NE(day, nullptr);
  EXPECT_EQ(day->checks(), 3);
  EXPECT_EQ(day->failures(), 1);
  EXPECT_NEAR(day->uptime_percent(), 200.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(day->mean_latency_ms(), 200);  // successes only
  EXPECT_DOUBLE_EQ(day->p95_latency_ms(), 300);

  const v1::UptimeWindow* week = Window(up, "7d");
  EXPECT_EQ(week->checks(), 5);
  EXPECT_EQ(week->failures(), 2);
  EXPECT_DOUBLE_EQ(week->mean_latency_ms(), 200);
  EXPECT_DOUBLE_EQ(week->p95_latency_ms(), 300);

  EXPECT_EQ(Window(up, "30d")->checks(), 6);
  EXPECT_EQ(Window(up, "30d")->p95_latency_ms(), 0);  // not computed past 7d
  EXPECT_EQ(Window(up, "90d")->checks(), 7);
  EXPECT_EQ(Window(up, "90d")->failures(), 3);

  ASSERT_EQ(up.daily_bars_size(), 90);
  const v1::DailyBar& today = up.daily_bars(89);
  EXPECT_EQ(today.day().seconds(), absl::ToUnixSeconds(kResultsNow - absl::Hours(12) - absl::Minutes(30)));
  EXPECT_EQ(today.checks(), 3);
  EXPECT_EQ(up.daily_bars(86).checks(), 2);
  EXPECT_DOUBLE_EQ(up.daily_bars(86).uptime_percent(), 50);
  EXPECT_EQ(up.daily_bars(29).checks(), 1);
  EXPECT_DOUBLE_EQ(up.daily_bars(29).uptime_percent(), 0);
  EXPECT_DOUBLE_EQ(up.daily_bars(0).uptime_percent(), 100);  // no checks

  const v1::GetUptimeResponse empty = this->Uptime("mon-unknown");
  EXPECT_EQ(Window(empty, "24h")->checks(), 0);
  EXPECT_DOUBLE_EQ(Window(empty, "24h")->uptime_percent(), 100);
}

TYPED_TEST(ResultStoreTest, RollUpIsIdempotentAndCountsLateResults) {
  this->Write({Result("mon-1", kResultsNow - 10 * kDay, true, 100),
               Result("mon-1", kResultsNow - 2 * kDay, false, 0),
               Result("mon-1", kResultsNow - absl::Hours(3), true, 100)});
  const v1::GetUptimeResponse before = this->Uptime("mon-1");
  ASSERT_TRUE(this->store_->RollUpHours(kResultsNow).ok());
  EXPECT_TRUE(ProtoEq(before, this->Uptime("mon-1")));
  ASSERT_TRUE(this->store_->RollUpHours(kResultsNow).ok());
  EXPECT_TRUE(ProtoEq(before, this->Uptime("mon-1")));

  // A straggler for the last rolled-up hour (11:xx) arrives afterwards.
  this->Write({Result("mon-1", kResultsNow - absl::Minutes(50), false, 0)});
  ASSERT_TRUE(this->store_->RollUpHours(kResultsNow + absl::Minutes(1)).ok());
  const v1::GetUptimeResponse after = this->Uptime("mon-1");
  EXPECT_EQ(Window(after, "90d")->checks(), 4);
  EXPECT_EQ(Window(after, "90d")->failures(), 2);
  EXPECT_EQ(after.daily_bars(89).checks(), 2);
}

TYPED_TEST(ResultStoreTest, RetentionDropsRawAndMinuteDataButKeepsHours) {
  this->Write({Result("mon-1", kResultsNow - 10 * kDay, false, 0),
               Result("mon-1", kResultsNow - absl::Hours(1), true, 100)});
  ASSERT_TRUE(this->store_->RollUpHours(kResultsNow).ok());
  ASSERT_TRUE(this->store_->ApplyRetention(kResultsNow, 7, 8).ok());

  const auto raw = this->ListAll({.monitor_id = "mon-1"});
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_TRUE(raw[0].success());
  const v1::GetUptimeResponse up = this->Uptime("mon-1");
  EXPECT_EQ(Window(up, "30d")->checks(), 2);  // from the hour bucket
  EXPECT_EQ(Window(up, "7d")->checks(), 1);

  EXPECT_TRUE(absl::IsInvalidArgument(this->store_->ApplyRetention(kResultsNow, 0, 8)));
  EXPECT_TRUE(absl::IsInvalidArgument(this->store_->ApplyRetention(kResultsNow, 7, 3)));
}

// SumUptime adds up what GetUptime's 24h window counts, for every monitor at
// once, whether the hours come from hour buckets (rolled up) or minutes.
TYPED_TEST(ResultStoreTest, SumUptimeMatchesTheWindowOfEveryMonitor) {
  std::vector<v1::CheckResult> results;
  // Spread over 26 hours, at odd minutes, so the window's first partial
  // hour, whole hours and the hours after the watermark all hold checks.
  for (int i = 0; i < 26 * 4; ++i) {
    const absl::Time t = kResultsNow - absl::Minutes(15 * i + 7);
    results.push_back(Result("mon-a", t, i % 5 != 0, 100 + i));
    if (i % 3 == 0) results.push_back(Result("mon-b", t, true, 50));
  }
  results.push_back(Result("mon-old", kResultsNow - absl::Hours(30), true, 1));
  this->Write(results);
  const absl::Time from = kResultsNow - absl::Hours(24);

  const auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    absl::StatusOr<std::vector<store::UptimeTotals>> sums = this->store_->SumUptime(from, kResultsNow);
    ASSERT_TRUE(sums.ok()) << sums.status();
    ASSERT_EQ(sums->size(), 2u);  // mon-old is outside the window
    EXPECT_EQ((*sums)[0].monitor_id, "mon-a");
    EXPECT_EQ((*sums)[1].monitor_id, "mon-b");
    for (const store::UptimeTotals& t : *sums) {
      const v1::UptimeWindow* day = Window(this->Uptime(t.monitor_id), "24h");
      ASSERT_NE(day, nullptr);
      EXPECT_EQ(t.checks, day->checks()) << t.monitor_id;
      EXPECT_EQ(t.failures, day->failures()) << t.monitor_id;
      const int64_t successes = t.checks - t.failures;
      EXPECT_NEAR(t.latency_sum_us / 1000.0 / successes, day->mean_latency_ms(), 1e-9);
    }
  };
  check("from minute buckets only");
  // Roll up to the hour before kResultsNow's (11:00): whole hours then come from
  // hour buckets, the rest from minutes.
  ASSERT_TRUE(this->store_->RollUpHours(kResultsNow).ok());
  check("after the roll-up");

  // An empty window, and one the wrong way round.
  absl::StatusOr<std::vector<store::UptimeTotals>> none =
      this->store_->SumUptime(kResultsNow + absl::Hours(1), kResultsNow + absl::Hours(2));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(absl::IsInvalidArgument(this->store_->SumUptime(kResultsNow, from).status()));
  // A window inside one hour reads minutes only, clipped to the window.
  absl::StatusOr<std::vector<store::UptimeTotals>> short_window =
      this->store_->SumUptime(kResultsNow - absl::Minutes(20), kResultsNow - absl::Minutes(5));
  ASSERT_TRUE(short_window.ok()) << short_window.status();
  ASSERT_EQ(short_window->size(), 2u);
  EXPECT_EQ((*short_window)[0].checks, 1);  // 12:23 only (12:08 is outside)
}

// GetUptimes answers exactly what GetUptime answers for each id, in request
// order, whether buckets sit on either side of a window start (mid-hour),
// a UTC midnight or the roll-up watermark.
TYPED_TEST(ResultStoreTest, GetUptimesEqualsGetUptimeOfEachMonitor) {
  std::vector<v1::CheckResult> results;
  // Every 97 minutes for 95 days (odd offsets against hours and days), and
  // denser around kResultsNow - 24h, kResultsNow - 7d and kResultsNow - 30d.
  for (int i = 0; i < 95 * 24 * 60 / 97; ++i) {
    const absl::Time t = kResultsNow - absl::Minutes(97 * i + 3);
    results.push_back(Result("mon-a", t, i % 7 != 0, 100 + i % 50));
    if (i % 2 == 0) results.push_back(Result("mon-b", t, i % 3 != 0, 20 + i % 9));
  }
  for (absl::Duration edge : {absl::Hours(24), 7 * kDay, 30 * kDay}) {
    for (int m = -70; m <= 70; m += 7) {
      results.push_back(Result("mon-a", kResultsNow - edge + absl::Minutes(m), m % 2 == 0, 40 + m));
    }
  }
  this->Write(results);
  const std::vector<std::string> ids = {"mon-b", "mon-a", "mon-unknown", "mon-a"};

  const auto check = [&](const char* when, absl::Time now) {
    SCOPED_TRACE(when);
    absl::StatusOr<std::vector<v1::GetUptimeResponse>> batch = this->store_->GetUptimes(ids, now);
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_EQ(batch->size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      const v1::GetUptimeResponse one = this->Uptime(ids[i], now);
      EXPECT_TRUE(ProtoEq((*batch)[i], one))
          << ids[i] << "\nbatch: " << (*batch)[i].ShortDebugString()
          << "\none: " << one.ShortDebugString();
    }
    EXPECT_GT(Window((*batch)[1], "90d")->checks(), 1000);
    EXPECT_EQ(Window((*batch)[2], "90d")->checks(), 0);
  };
  check("minute buckets only", kResultsNow);
  ASSERT_TRUE(this->store_->RollUpHours(kResultsNow).ok());
  check("after the roll-up", kResultsNow);
  check("later, off the hour", kResultsNow + absl::Minutes(17));

  // More monitors than one query reads (PostgreSQL splits the list).
  std::vector<std::string> many;
  std::vector<v1::CheckResult> few;
  for (int i = 0; i < 250; ++i) {
    many.push_back(absl::StrCat("mon-many-", i));
    few.push_back(Result(many.back(), kResultsNow - absl::Minutes(i + 1), i % 4 != 0, i));
    few.push_back(Result(many.back(), kResultsNow - 3 * kDay - absl::Minutes(i), true, 2 * i));
  }
  this->Write(few);
  absl::StatusOr<std::vector<v1::GetUptimeResponse>> all = this->store_->GetUptimes(many, kResultsNow);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), many.size());
  for (size_t i = 0; i < many.size(); ++i) {
    EXPECT_TRUE(ProtoEq((*all)[i], this->Uptime(many[i], kResultsNow))) << many[i];
  }

  absl::StatusOr<std::vector<v1::GetUptimeResponse>> none = this->store_->GetUptimes({}, kResultsNow);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(ResultStoreTest, AgentSequencesAdvanceWithBatches) {
  ASSERT_TRUE(this->store_
                  ->WriteBatch({Result("mon-1", kResultsNow, true, 1)},
                               {{"agent-1", "inc-a", 5}, {"agent-1", "inc-a", 4}, {"agent-2", "x", 1}})
                  .ok());
  ASSERT_TRUE(this->store_->WriteBatch({}, {{"agent-1", "inc-a", 3}}).ok());  // older: ignored
  ASSERT_TRUE(this->store_->SaveAgentSequence({"agent-2", "y", 1}).ok());    // new incarnation
  absl::StatusOr<std::vector<AgentSequence>> acks = this->store_->LoadAgentSequences();
  ASSERT_TRUE(acks.ok()) << acks.status();
  EXPECT_EQ(*acks, (std::vector<AgentSequence>{{"agent-1", "inc-a", 5}, {"agent-2", "y", 1}}));
}

}  // namespace
}  // namespace uptime::testing
