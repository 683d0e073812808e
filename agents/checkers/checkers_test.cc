// HTTP checks of host names through the CheckEngine's loop: names resolved
// on the loop (not by curl's own resolver), and lookups that fail or never
// answer. The other checkers' loop tests are in <kind>_check_test.cc.
#include <string>

#include "absl/strings/str_cat.h"
#include "agents/checkers/checkers_test_fixture.h"
#include "gtest/gtest.h"
#include "tests/support/http_target.h"

namespace uptime::agent {
namespace {

TEST_F(CheckersTest, HttpHostNamesAreResolvedOnTheLoop) {
  auto target = ::uptime::testing::HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  const int port = (*target)->port();
  const int64_t queries = names_->queries();
  // From the loop's resolver (A; A and AAAA, where ::1 has no listener, so
  // curl falls back), and a name and an address literal for comparison.
  for (const char* host : {"v4.test", "both.test", "127.0.0.1"}) {
    v1::AssignedMonitor m = Monitor();
    m.mutable_monitor()->mutable_http()->set_url(absl::StrCat("http://", host, ":", port, "/x"));
    v1::CheckResult r = Check(m);
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_EQ(r.http_status(), 200) << host;
    EXPECT_LE(r.dns_us(), r.latency_us()) << host << ": the lookup is part of the check";
    EXPECT_LE(r.connect_us() + r.dns_us(), r.latency_us()) << host;
  }
  EXPECT_GE(names_->queries(), queries + 2) << "each check looks its name up afresh";
  // A second check of the same name asks again (no cache between checks).
  const int64_t before = names_->queries();
  v1::AssignedMonitor again = Monitor();
  again.mutable_monitor()->mutable_http()->set_url(absl::StrCat("http://v4.test:", port, "/"));
  EXPECT_TRUE(Check(again).success());
  EXPECT_GT(names_->queries(), before);
}

TEST_F(CheckersTest, HttpNameFailuresAreDnsOrTimeoutResults) {
  v1::AssignedMonitor m = Monitor();
  m.mutable_monitor()->mutable_http()->set_url("http://nope.test:1/");
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  EXPECT_NE(r.error_message().find("nope.test"), std::string::npos) << r.error_message();
  EXPECT_GT(r.dns_us(), 0);
  // The names resolver never answers "silent." names: the check's timeout,
  // not c-ares' retries, ends it.
  v1::AssignedMonitor silent = Monitor();
  silent.mutable_monitor()->mutable_http()->set_url("http://silent.test:1/");
  SetTimeout(silent, absl::Milliseconds(300));
  const absl::Time begin = absl::Now();
  r = Check(silent);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(2));
}

}  // namespace
}  // namespace uptime::agent
