// BuildMonitor and its parsers: pure, no server.
#include "cli/monitor_spec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::HasSubstr;

TEST(ParseStatusRangesTest, AcceptsSingleRangeClassAndLists) {
  auto ranges = ParseStatusRanges("--expect-status", " 200-204, 301 ,5XX");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  ASSERT_EQ(ranges->size(), 3u);
  EXPECT_EQ((*ranges)[0].min(), 200);
  EXPECT_EQ((*ranges)[0].max(), 204);
  EXPECT_EQ((*ranges)[1].min(), 301);
  EXPECT_EQ((*ranges)[1].max(), 301);
  EXPECT_EQ((*ranges)[2].min(), 500);
  EXPECT_EQ((*ranges)[2].max(), 599);
}

TEST(ParseStatusRangesTest, RejectsTextNamingTheFlag) {
  for (const char* bad : {"", "ok", "200-", "-300", "2x", "axx", "200-299-300"}) {
    auto ranges = ParseStatusRanges("--expect-status", bad);
    ASSERT_FALSE(ranges.ok()) << bad;
    EXPECT_THAT(ranges.status().message(), HasSubstr("--expect-status")) << bad;
  }
}

TEST(ParseStatusRangesTest, LeavesBoundsToTheServer) {
  // 99 and reversed bounds are the server's INVALID_ARGUMENT, with its field path.
  auto ranges = ParseStatusRanges("--expect-status", "299-200,99");
  ASSERT_TRUE(ranges.ok());
  EXPECT_EQ((*ranges)[0].min(), 299);
}

TEST(ParseHeaderTest, SplitsAtFirstColonAndTrims) {
  auto header = ParseHeader("--header", "Authorization:  Basic a:b ");
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->name(), "Authorization");
  EXPECT_EQ(header->value(), "Basic a:b");
  EXPECT_TRUE(ParseHeader("--header", "X-Empty:").ok());
  EXPECT_FALSE(ParseHeader("--header", "no colon").ok());
  EXPECT_FALSE(ParseHeader("--header", ": value").ok());
}

TEST(ParseDurationFlagTest, ConvertsToProtoDuration) {
  auto d = ParseDurationFlag("--interval", "1m30.5s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->seconds(), 90);
  EXPECT_EQ(d->nanos(), 500'000'000);
  auto ms = ParseDurationFlag("--timeout", "500ms");
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(ms->seconds(), 0);
  EXPECT_EQ(ms->nanos(), 500'000'000);
  for (const char* bad : {"", "30", "soon", "inf"}) {
    auto status = ParseDurationFlag("--interval", bad).status();
    EXPECT_THAT(status.message(), HasSubstr("--interval")) << bad;
  }
}

TEST(ParseRecordTypeTest, AnyCaseKnownTypesOnly) {
  EXPECT_EQ(*ParseRecordType("--record-type", "mx"), v1::DNS_RECORD_TYPE_MX);
  EXPECT_EQ(*ParseRecordType("--record-type", "AAAA"), v1::DNS_RECORD_TYPE_AAAA);
  EXPECT_FALSE(ParseRecordType("--record-type", "SRV").ok());
  EXPECT_FALSE(ParseRecordType("--record-type", "unspecified").ok());
}

// Flags with only a name and a check type set; tests add what they need.
// (Designated initializers would trip -Wmissing-field-initializers.)
MonitorFlags Flags(const std::string& name) {
  MonitorFlags flags;
  flags.name = name;
  return flags;
}

TEST(BuildMonitorTest, IcmpAndInsecureGrpc) {
  MonitorFlags icmp_flags = Flags("gw");
  icmp_flags.icmp = "10.0.0.1";
  auto icmp = BuildMonitor(icmp_flags);
  ASSERT_TRUE(icmp.ok()) << icmp.status();
  EXPECT_EQ(icmp->icmp().host(), "10.0.0.1");

  MonitorFlags grpc = Flags("rpc");
  grpc.grpc = "svc:443";
  grpc.insecure = true;
  auto monitor = BuildMonitor(grpc);
  ASSERT_TRUE(monitor.ok()) << monitor.status();
  EXPECT_TRUE(monitor->grpc().insecure_skip_tls_verify());
}

TEST(BuildMonitorTest, InsecureDoesNotApplyToTcp) {
  MonitorFlags flags = Flags("db");
  flags.tcp = "db:5432";
  flags.insecure = true;
  auto monitor = BuildMonitor(flags);
  ASSERT_FALSE(monitor.ok());
  EXPECT_THAT(monitor.status().message(), HasSubstr("--insecure applies only to --url or --grpc"));
}

TEST(BuildMonitorTest, TcpAcceptsBracketedIpv6) {
  MonitorFlags flags = Flags("v6");
  flags.tcp = "[2001:db8::1]:443";
  auto monitor = BuildMonitor(flags);
  ASSERT_TRUE(monitor.ok()) << monitor.status();
  EXPECT_EQ(monitor->tcp().host(), "2001:db8::1");
  EXPECT_EQ(monitor->tcp().port(), 443);
}

TEST(BuildMonitorTest, LaterLabelWinsAndBadLabelNamesFlag) {
  MonitorFlags flags = Flags("a");
  flags.url = "http://a/";
  flags.labels = {"env=dev", "env=prod"};
  auto monitor = BuildMonitor(flags);
  ASSERT_TRUE(monitor.ok());
  EXPECT_EQ(monitor->labels().at("env"), "prod");
  flags.labels = {"novalue"};
  auto bad = BuildMonitor(flags);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("--label"));
}

TEST(BuildMonitorTest, RenotifyAndTlsWarning) {
  MonitorFlags flags = Flags("a");
  flags.url = "https://a/";
  flags.renotify_interval = "1h";
  flags.tls_expiry_warning_days = 14;
  auto monitor = BuildMonitor(flags);
  ASSERT_TRUE(monitor.ok()) << monitor.status();
  EXPECT_EQ(monitor->renotify_interval().seconds(), 3600);
  EXPECT_EQ(monitor->tls_expiry_warning_days(), 14);
}

}  // namespace
}  // namespace uptime::cli
