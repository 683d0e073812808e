// `uptimectl results`, `uptime` and `incidents` against the fake
// coordinator: tables (and -o wide), filters sent, --limit over pages.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// kNow is 2023-11-14 22:13:20 UTC.
v1::CheckResult Result(absl::Duration age, bool success, int64_t latency_us) {
  v1::CheckResult r;
  r.set_monitor_id("m1");
  r.set_agent_id("agent-a");
  r.set_location("eu-west");
  r.set_epoch(3);
  r.set_start_time_us(absl::ToUnixMicros(kNow - age));
  r.set_success(success);
  r.set_latency_us(latency_us);
  r.set_connect_us(1200);
  if (success) {
    r.set_http_status(200);
  } else {
    r.set_http_status(503);
    r.set_error_kind(v1::ERROR_KIND_STATUS);
    r.set_error_message("HTTP 503");
  }
  return r;
}

TEST_F(CliTest, ResultsNewestFirstUpToTheLimit) {
  fake_.AddResult(Result(absl::Minutes(3), true, 42'000));
  fake_.AddResult(Result(absl::Minutes(2), false, 5'100));
  fake_.AddResult(Result(absl::Minutes(1), true, 800));
  v1::CheckResult other = Result(absl::Minutes(1), true, 1);
  other.set_monitor_id("m2");
  fake_.AddResult(other);

  ASSERT_EQ(Run({"results", "m1"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("TIME (UTC)           LOCATION  RESULT  LATENCY  STATUS    ERROR",
                          "2023-11-14 22:12:20  eu-west   ok      800us    HTTP 200  -",
                          "2023-11-14 22:11:20  eu-west   FAIL    5.1ms    HTTP 503  "
                          "status: HTTP 503",
                          "2023-11-14 22:10:20  eu-west   ok      42ms     HTTP 200  -"));
  EXPECT_EQ(fake_.calls(), 2);  // pages of 2

  ASSERT_EQ(Run({"results", "m1", "--limit", "1"}), kExitOk) << err();
  EXPECT_EQ(Lines(out()).size(), 2u);
  EXPECT_THAT(err(), HasSubstr("more results exist: raise --limit"));

  ASSERT_EQ(Run({"-o", "wide", "results", "m1", "--limit", "1"}), kExitOk) << err();
  EXPECT_THAT(Lines(out())[0], HasSubstr("AGENT    EPOCH  DNS  CONNECT  TLS  FIRST BYTE"));
  EXPECT_THAT(Lines(out())[1], HasSubstr("agent-a  3      -    1.2ms"));

  ASSERT_EQ(Run({"-o", "json", "results", "m1", "--limit", "1"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("\"latencyUs\": \"800\""));
}

TEST_F(CliTest, ResultsFiltersAreSent) {
  ASSERT_EQ(Run({"results", "m1", "--since", "1h", "--until", "2023-11-14T22:00:00Z",
                 "--failures"}),
            kExitOk)
      << err();
  EXPECT_THAT(err(), HasSubstr("no results found"));
  std::optional<v1::ListResultsRequest> sent = fake_.Last<v1::ListResultsRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->monitor_id(), "m1");
  EXPECT_EQ(sent->start_time().seconds(), absl::ToUnixSeconds(kNow - absl::Hours(1)));
  EXPECT_EQ(sent->end_time().seconds(), absl::ToUnixSeconds(kNow - absl::Seconds(13 * 60 + 20)));
  EXPECT_TRUE(sent->failures_only());
}

TEST_F(CliTest, ResultsBadFlagsAreUsageErrors) {
  EXPECT_EQ(Run({"results", "m1", "--since", "yesterday"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--since: expected a duration before now such as 1h"));
  EXPECT_EQ(Run({"results", "m1", "--since", "1h", "--until", "2h"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--until: must be later than --since"));
  EXPECT_EQ(Run({"results", "m1", "--limit", "0"}), kExitUsage);
  EXPECT_EQ(Run({"results"}), kExitUsage);
  EXPECT_EQ(fake_.calls(), 0);
}

v1::GetUptimeResponse Uptime() {
  v1::GetUptimeResponse u;
  u.set_monitor_id("m1");
  const struct {
    const char* window;
    int64_t checks;
    int64_t failures;
  } rows[] = {{"24h", 1440, 0}, {"7d", 10080, 12}, {"30d", 43200, 12}, {"90d", 129600, 300}};
  for (const auto& row : rows) {
    v1::UptimeWindow* w = u.add_windows();
    w->set_window(row.window);
    w->set_checks(row.checks);
    w->set_failures(row.failures);
    w->set_uptime_percent(100.0 * (row.checks - row.failures) / row.checks);
    w->set_mean_latency_ms(42.5);
    w->set_p95_latency_ms(120);
  }
  for (int day = 89; day >= 0; --day) {
    v1::DailyBar* bar = u.add_daily_bars();
    bar->mutable_day()->set_seconds(absl::ToUnixSeconds(
        absl::FromCivil(absl::CivilDay(2023, 11, 14) - day, absl::UTCTimeZone())));
    bar->set_checks(day == 0 ? 0 : 1440);
    bar->set_failures(day == 1 ? 144 : 0);
    bar->set_uptime_percent(day == 1 ? 90 : 100);
  }
  return u;
}

TEST_F(CliTest, UptimeWindowsAndDailyBars) {
  fake_.SetUptime(Uptime());
  ASSERT_EQ(Run({"uptime", "m1"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("WINDOW  UPTIME    CHECKS  FAILURES  MEAN LATENCY",
                          "24h     100.000%  1440    0         42ms",
                          "7d      99.881%   10080   12        42ms",
                          "30d     99.972%   43200   12        42ms",
                          "90d     99.769%   129600  300       42ms"));

  ASSERT_EQ(Run({"-o", "wide", "uptime", "m1", "--window", "24h", "--window", "90d", "--days",
                 "2"}),
            kExitOk)
      << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("WINDOW  UPTIME    CHECKS  FAILURES  MEAN LATENCY  P95 LATENCY",
                          "24h     100.000%  1440    0         42ms          120ms",
                          "90d     99.769%   129600  300       42ms          120ms",
                          "DAY (UTC)   UPTIME   CHECKS  FAILURES",
                          "2023-11-13  90.000%  1440    144",
                          "2023-11-14  -        0       0"));

  ASSERT_EQ(Run({"-o", "yaml", "uptime", "m1", "--window", "7d"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("window: \"7d\""));
  EXPECT_THAT(out(), Not(HasSubstr("24h")));
  EXPECT_THAT(out(), Not(HasSubstr("dailyBars")));

  EXPECT_EQ(Run({"uptime", "m1", "--window", "1y"}), kExitUsage);
  EXPECT_EQ(Run({"uptime", "m1", "--days", "91"}), kExitUsage);
  EXPECT_EQ(Run({"uptime", "m9"}), kExitNotFound);
}

v1::Incident Incident(const std::string& id, const std::string& monitor, absl::Duration ago,
                      std::optional<absl::Duration> lasted) {
  v1::Incident i;
  i.set_id(id);
  i.set_monitor_id(monitor);
  i.mutable_started()->set_seconds(absl::ToUnixSeconds(kNow - ago));
  if (lasted) i.mutable_resolved()->set_seconds(absl::ToUnixSeconds(kNow - ago + *lasted));
  i.set_cause("connect: connection refused");
  i.set_alerts_sent(2);
  return i;
}

TEST_F(CliTest, IncidentsNewestFirstWithFilters) {
  fake_.AddIncident(Incident("i1", "m1", absl::Hours(30), absl::Minutes(5)));
  fake_.AddIncident(Incident("i2", "m2", absl::Hours(2), std::nullopt));
  fake_.AddIncident(Incident("i3", "m1", absl::Minutes(10), std::nullopt));

  ASSERT_EQ(Run({"incidents"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID  MONITOR  STARTED (UTC)        RESOLVED             DURATION  CAUSE",
                          "i3  m1       2023-11-14 22:03:20  open                 10m       "
                          "connect: connection refused",
                          "i2  m2       2023-11-14 20:13:20  open                 2h0m      "
                          "connect: connection refused",
                          "i1  m1       2023-11-13 16:13:20  2023-11-13 16:18:20  5m        "
                          "connect: connection refused"));

  ASSERT_EQ(Run({"-o", "wide", "incidents", "m1", "--open"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()), ElementsAre(HasSubstr("ALERTS"), HasSubstr("i3")));
  std::optional<v1::ListIncidentsRequest> sent = fake_.Last<v1::ListIncidentsRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->monitor_id(), "m1");
  EXPECT_TRUE(sent->open_only());

  ASSERT_EQ(Run({"incidents", "m9", "--open"}), kExitOk) << err();
  EXPECT_EQ(out(), "");
  EXPECT_THAT(err(), HasSubstr("no open incidents"));

  ASSERT_EQ(Run({"incidents", "--limit", "2"}), kExitOk) << err();
  EXPECT_EQ(Lines(out()).size(), 3u);
  EXPECT_THAT(err(), HasSubstr("more incidents exist"));
}

TEST_F(CliTest, HistoryFailuresKeepTheirExitCodes) {
  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no"));
  EXPECT_EQ(Run({"results", "m1"}), kExitDenied);
  EXPECT_EQ(Run({"incidents"}), kExitDenied);
  EXPECT_EQ(Run({"uptime", "m1"}), kExitDenied);
}

}  // namespace
}  // namespace uptime::cli
