// ICMP checks through the CheckEngine's loop on the loopback address: ping
// and raw sockets, missing permission, IPv6, host names and the timeout.
#include "agents/checkers/icmp_check.h"

#include <string>

#include "agents/checkers/checkers_test_fixture.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

// Restores real ICMP socket probing however a test ends.
struct IcmpSocketsReset {
  ~IcmpSocketsReset() { SetIcmpSocketsAllowedForTest(true, true); }
};

TEST_F(CheckersTest, IcmpLoopbackAnswers) {
  SetIcmpSocketsAllowedForTest(true, true);
  v1::AssignedMonitor m = Monitor();
  m.mutable_monitor()->mutable_icmp()->set_host("127.0.0.1");
  v1::CheckResult r = Check(m);
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_NE(IcmpSocketKindInUse(), IcmpSocketKind::kNone);
  // The raw fallback (ping sockets are off here, but force it anyway).
  SetIcmpSocketsAllowedForTest(false, true);
  r = Check(m);
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(IcmpSocketKindInUse(), IcmpSocketKind::kRaw);
  SetIcmpSocketsAllowedForTest(true, true);
}

TEST_F(CheckersTest, IcmpWithoutPermissionSaysSo) {
  SetIcmpSocketsAllowedForTest(false, false);
  v1::AssignedMonitor m = Monitor();
  m.mutable_monitor()->mutable_icmp()->set_host("127.0.0.1");
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_PERMISSION);
  EXPECT_NE(r.error_message().find("CAP_NET_RAW"), std::string::npos);
  SetIcmpSocketsAllowedForTest(true, true);
  m.mutable_monitor()->mutable_icmp()->set_host("not-an-ip");
  EXPECT_EQ(Check(m).error_kind(), v1::ERROR_KIND_DNS);
}

TEST_F(CheckersTest, IcmpIpv6LoopbackAnswers) {
  IcmpSocketsReset reset;
  SetIcmpSocketsAllowedForTest(true, true);
  for (const char* host : {"::1", "[::1]"}) {
    v1::CheckResult r = Check(Icmp(host));
    if (r.error_kind() == v1::ERROR_KIND_PERMISSION) {
      GTEST_SKIP() << "the kernel refuses ICMPv6 ping and raw sockets here: " << r.error_message();
    }
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_EQ(r.dns_us(), 0) << "an address needs no lookup";
  }
  EXPECT_NE(IcmpSocketKindInUse(AF_INET6), IcmpSocketKind::kNone);
  // The raw fallback.
  SetIcmpSocketsAllowedForTest(false, true);
  v1::CheckResult r = Check(Icmp("::1"));
  if (r.error_kind() == v1::ERROR_KIND_PERMISSION) {
    GTEST_SKIP() << "no raw ICMPv6 socket here (needs CAP_NET_RAW): " << r.error_message();
  }
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(IcmpSocketKindInUse(AF_INET6), IcmpSocketKind::kRaw);
}

TEST_F(CheckersTest, IcmpResolvesHostNamesFirst) {
  IcmpSocketsReset reset;
  SetIcmpSocketsAllowedForTest(true, true);
  // Not found: a DNS failure, whatever the ICMP permissions.
  v1::CheckResult r = Check(Icmp("nope.test"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  EXPECT_NE(r.error_message().find("nope.test"), std::string::npos) << r.error_message();
  EXPECT_GT(r.dns_us(), 0);
  // From the resolver (A, AAAA) and from the hosts file.
  for (const char* host : {"v4.test", "v6.test", "localhost"}) {
    r = Check(Icmp(host));
    if (r.error_kind() == v1::ERROR_KIND_PERMISSION) {
      GTEST_SKIP() << "the kernel refuses ICMP sockets here: " << r.error_message();
    }
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_GT(r.dns_us(), 0) << host;
    EXPECT_LE(r.dns_us(), r.latency_us()) << host << ": the lookup is part of the check";
  }
  EXPECT_GE(names_->queries(), 2);
}

TEST_F(CheckersTest, IcmpNameLookupCountsAgainstTheTimeout) {
  // The names resolver never answers "silent." names.
  v1::AssignedMonitor m = Icmp("silent.test");
  SetTimeout(m, absl::Milliseconds(300));
  const absl::Time begin = absl::Now();
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(2));
}

TEST_F(CheckersTest, IcmpEndsWithinTheTimeout) {
  v1::AssignedMonitor m = Monitor(absl::Milliseconds(300));
  // TEST-NET-1: nobody should answer; but this VM's network stack answers
  // every echo itself, so success is accepted; the point is a bounded end.
  m.mutable_monitor()->mutable_icmp()->set_host("192.0.2.1");
  const absl::Time begin = absl::Now();
  v1::CheckResult r = Check(m);
  EXPECT_LT(absl::Now() - begin, absl::Seconds(1));
  EXPECT_TRUE(r.success() || r.error_kind() == v1::ERROR_KIND_TIMEOUT ||
              r.error_kind() == v1::ERROR_KIND_CONNECT)
      << r.error_message();
}

}  // namespace
}  // namespace uptime::agent
