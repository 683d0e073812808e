#include "coordinator/notifiers/alert.h"

#include "coordinator/notifiers/testing/test_util.h"
#include "gtest/gtest.h"

namespace uptime::notifiers {
namespace {

using test::SampleDownAlert;
using test::SampleTime;

TEST(HumanDurationTest, TwoLargestUnits) {
  EXPECT_EQ(HumanDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(HumanDuration(absl::Seconds(-5)), "0s");
  EXPECT_EQ(HumanDuration(absl::Milliseconds(300)), "<1s");
  EXPECT_EQ(HumanDuration(absl::Seconds(45)), "45s");
  EXPECT_EQ(HumanDuration(absl::Seconds(200)), "3m 20s");
  EXPECT_EQ(HumanDuration(absl::Minutes(3)), "3m");
  EXPECT_EQ(HumanDuration(absl::Hours(2) + absl::Minutes(5) + absl::Seconds(9)), "2h 5m");
  EXPECT_EQ(HumanDuration(absl::Hours(2) + absl::Seconds(9)), "2h");
  EXPECT_EQ(HumanDuration(absl::Hours(76)), "3d 4h");
}

TEST(FormatTimeTest, UtcAndRfc3339) {
  EXPECT_EQ(FormatUtc(SampleTime()), "2023-11-14 22:13:20 UTC");
  EXPECT_EQ(FormatUtc(absl::InfinitePast()), "unknown");
  EXPECT_EQ(FormatRfc3339(SampleTime()), "2023-11-14T22:13:20Z");
}

TEST(AlertTest, KindNamesAreStable) {
  EXPECT_EQ(AlertKindName(AlertKind::kDown), "down");
  EXPECT_EQ(AlertKindName(AlertKind::kRecovered), "recovered");
  EXPECT_EQ(AlertKindName(AlertKind::kStillDown), "still_down");
  EXPECT_EQ(AlertKindName(AlertKind::kTlsExpiring), "tls_expiring");
  EXPECT_EQ(AlertKindName(AlertKind::kTest), "test");
}

TEST(AlertTest, DedupKeyFallsBackToIncidentThenMonitor) {
  Alert a = SampleDownAlert();
  a.dedup_key = "custom";
  EXPECT_EQ(DedupKey(a), "custom");
  a.dedup_key.clear();
  EXPECT_EQ(DedupKey(a), "inc-42");
  a.incident_id.clear();
  EXPECT_EQ(DedupKey(a), "monitor:mon-1");
}

TEST(AlertTest, DashboardLink) {
  Alert a = SampleDownAlert();  // base has a trailing slash
  EXPECT_EQ(DashboardLink(a), "https://uptime.example.com/monitors/mon-1");
  a.monitor.id = "a b/c";
  EXPECT_EQ(DashboardLink(a), "https://uptime.example.com/monitors/a%20b%2Fc");
  a.dashboard_base_url.clear();
  EXPECT_EQ(DashboardLink(a), "");
  EXPECT_EQ(DashboardLink(test::SampleGroup(3)), "https://uptime.example.com");
}

TEST(AlertTest, Headlines) {
  Alert a = SampleDownAlert();
  EXPECT_EQ(AlertHeadline(a), "api-prod is DOWN");
  a.kind = AlertKind::kRecovered;
  EXPECT_EQ(AlertHeadline(a), "api-prod is UP");
  a.kind = AlertKind::kStillDown;
  EXPECT_EQ(AlertHeadline(a), "api-prod is still DOWN");
  a.kind = AlertKind::kTlsExpiring;
  a.tls_expiry = a.since + absl::Hours(24 * 6 + 3);
  EXPECT_EQ(AlertHeadline(a), "api-prod: TLS certificate expires in 6d 3h");
  a.tls_expiry = a.since - absl::Hours(1);
  EXPECT_EQ(AlertHeadline(a), "api-prod: TLS certificate expired");
  a.kind = AlertKind::kTest;
  EXPECT_EQ(AlertHeadline(a), "Test message from Uptime Monitor");
  a = SampleDownAlert();
  a.monitor.name.clear();
  EXPECT_EQ(AlertHeadline(a), "https://api.example.com/health is DOWN");
  EXPECT_EQ(AlertHeadline(test::SampleGroup(12)), "12 monitors are DOWN");
}

TEST(AlertTest, MonitorTargets) {
  v1::Monitor m;
  m.set_id("x");
  m.set_name("n");
  (*m.mutable_labels())["team"] = "core";
  m.mutable_http()->set_url("https://a.example/health");
  EXPECT_EQ(MonitorTarget(m), "https://a.example/health");
  m.mutable_tcp()->set_host("db.internal");
  m.mutable_tcp()->set_port(5432);
  EXPECT_EQ(MonitorTarget(m), "db.internal:5432");
  m.mutable_dns()->set_name("example.com");
  EXPECT_EQ(MonitorTarget(m), "example.com");
  m.mutable_dns()->set_record_type(v1::DNS_RECORD_TYPE_MX);
  EXPECT_EQ(MonitorTarget(m), "example.com MX");
  m.mutable_grpc()->set_target("svc:443");
  EXPECT_EQ(MonitorTarget(m), "svc:443");
  m.mutable_icmp()->set_host("10.0.0.1");
  EXPECT_EQ(MonitorTarget(m), "10.0.0.1");

  const AlertMonitor am = AlertMonitorFromProto(m);
  EXPECT_EQ(am.id, "x");
  EXPECT_EQ(am.name, "n");
  EXPECT_EQ(am.target, "10.0.0.1");
  EXPECT_EQ(am.labels.at("team"), "core");
}

TEST(AlertTest, TestAlert) {
  const Alert a = MakeTestAlert(SampleTime(), "https://d");
  EXPECT_EQ(a.kind, AlertKind::kTest);
  EXPECT_EQ(a.since, SampleTime());
  EXPECT_FALSE(DedupKey(a).empty());
  EXPECT_EQ(DashboardLink(a), "https://d");
}

}  // namespace
}  // namespace uptime::notifiers
