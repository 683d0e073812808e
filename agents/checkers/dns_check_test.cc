// DNS checks through the CheckEngine's loop against an in-test DNS responder:
// answers matched, failures classified, many checks sharing one channel.
#include "agents/checkers/dns_check.h"

#include <string>

#include "agents/checkers/checkers_test_fixture.h"
#include "gtest/gtest.h"
#include "tests/support/dns_responder.h"

namespace uptime::agent {
namespace {

TEST_F(CheckersTest, DnsAnswersMatchAndMismatch) {
  dns_ = DnsResponder::Start({{{"web.test", 1}, {"10.0.0.1", "10.0.0.2"}},
                              {{"web.test", 16}, {"v=spf1 -all"}},
                              {{"web.test", 15}, {"10 mx.web.test"}}});
  ASSERT_NE(dns_, nullptr);
  v1::CheckResult r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_GT(r.latency_us(), 0);
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.2"));  // any answer matches
  EXPECT_TRUE(r.success()) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_TXT, "v=spf1 -all"));
  EXPECT_TRUE(r.success()) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_MX, "MX.web.test."));
  EXPECT_TRUE(r.success()) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.9.9.9"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS_ANSWER);
  EXPECT_NE(r.error_message().find("10.0.0.1"), std::string::npos) << r.error_message();
}

TEST_F(CheckersTest, DnsFailuresAreClassified) {
  dns_ = DnsResponder::Start({{{"web.test", 1}, {"10.0.0.1"}}});
  ASSERT_NE(dns_, nullptr);
  v1::CheckResult r = Check(Dns("nope.test", v1::DNS_RECORD_TYPE_A));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  r = Check(Dns("servfail.test", v1::DNS_RECORD_TYPE_A));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_AAAA));  // exists, no AAAA
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  v1::AssignedMonitor silent = Dns("silent.test", v1::DNS_RECORD_TYPE_A);
  SetTimeout(silent, absl::Milliseconds(500));
  const absl::Time begin = absl::Now();
  r = Check(silent);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(4));  // the 500 ms timeout, not c-ares' default
  v1::AssignedMonitor bad = Dns("web.test", v1::DNS_RECORD_TYPE_A);
  bad.mutable_monitor()->mutable_dns()->set_resolver("not a resolver");
  EXPECT_EQ(Check(bad).error_kind(), v1::ERROR_KIND_INTERNAL);
}

TEST_F(CheckersTest, ManyDnsChecksShareTheLoop) {
  dns_ = DnsResponder::Start({{{"web.test", 1}, {"10.0.0.1"}}});
  ASSERT_NE(dns_, nullptr);
  for (int i = 0; i < 50; ++i) {
    v1::AssignedMonitor m = Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.1");
    m.mutable_monitor()->set_id(absl::StrCat("d", i));
    ASSERT_TRUE(engine_->RunOnce(m).ok());
  }
  ASSERT_TRUE(engine_->WaitIdle(absl::Seconds(10)));
  absl::MutexLock lock(&mu_);
  ASSERT_EQ(results_.size(), 50u);
  for (const auto& r : results_) EXPECT_TRUE(r.success()) << r.error_message();
}

TEST_F(CheckersTest, ConcurrentDnsChecksShareOneChannel) {
  // Slow answers, so all the checks are in flight together.
  dns_ = DnsResponder::Start({{{"slow.web.test", 1}, {"10.0.0.1"}}});
  ASSERT_NE(dns_, nullptr);
  constexpr int kChecks = 300;
  for (int i = 0; i < kChecks; ++i) {
    v1::AssignedMonitor m = Dns("slow.web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.1");
    SetTimeout(m, absl::Seconds(5));
    m.mutable_monitor()->set_id(absl::StrCat("d", i));
    ASSERT_TRUE(engine_->RunOnce(m).ok());
  }
  ASSERT_TRUE(engine_->WaitIdle(absl::Seconds(10)));
  {
    absl::MutexLock lock(&mu_);
    ASSERT_EQ(results_.size(), static_cast<size_t>(kChecks));
    for (const auto& r : results_) EXPECT_TRUE(r.success()) << r.error_message();
  }
  EXPECT_GE(dns_->queries(), kChecks);
  // One channel for the resolver: every query left from the same socket
  // (a channel per check would have used 300). c-ares closes a socket once
  // idle, so this holds for queries in flight together.
  EXPECT_EQ(dns_->client_ports(), 1u);
}

TEST_F(CheckersTest, OneDnsCheckTimesOutWhileOthersOnTheChannelGoOn) {
  dns_ = DnsResponder::Start({{{"slow.web.test", 1}, {"10.0.0.1"}},
                              {{"web.test", 1}, {"10.0.0.2"}}});
  ASSERT_NE(dns_, nullptr);
  // "slow." answers come after 600 ms: the quitter gives up at 200 ms (its
  // answer then arrives for a check that is gone), the patient one waits.
  v1::AssignedMonitor quitter = Dns("slow.web.test", v1::DNS_RECORD_TYPE_A);
  quitter.mutable_monitor()->set_id("quitter");
  SetTimeout(quitter, absl::Milliseconds(200));
  v1::AssignedMonitor silent = Dns("silent.test", v1::DNS_RECORD_TYPE_A);
  silent.mutable_monitor()->set_id("silent");
  SetTimeout(silent, absl::Milliseconds(300));
  v1::AssignedMonitor patient = Dns("slow.web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.1");
  patient.mutable_monitor()->set_id("patient");
  SetTimeout(patient, absl::Seconds(3));
  ASSERT_TRUE(engine_->RunOnce(quitter).ok());
  ASSERT_TRUE(engine_->RunOnce(silent).ok());
  ASSERT_TRUE(engine_->RunOnce(patient).ok());
  std::map<std::string, v1::CheckResult> results = AwaitResults(3);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results["quitter"].error_kind(), v1::ERROR_KIND_TIMEOUT)
      << results["quitter"].error_message();
  EXPECT_LT(results["quitter"].latency_us(), 500'000);  // its own deadline
  EXPECT_EQ(results["silent"].error_kind(), v1::ERROR_KIND_TIMEOUT);
  EXPECT_TRUE(results["patient"].success()) << results["patient"].error_message();
  EXPECT_GE(results["patient"].latency_us(), 500'000);  // answered after both gave up
  // The quitter's late answer was dropped; the channel goes on.
  v1::CheckResult r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.2"));
  EXPECT_TRUE(r.success()) << r.error_message();
}

TEST(DnsParseTest, RejectsTruncatedReplies) {
  const unsigned char reply[5] = {};
  EXPECT_FALSE(ParseDnsAnswers(reply, sizeof(reply), 1).ok());
}

}  // namespace
}  // namespace uptime::agent
