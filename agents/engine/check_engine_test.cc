// CheckEngine against real local HTTP(S) servers (tests/support).
#include "agents/engine/check_engine.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agents/scheduling/scheduler.h"
#include "agents/testing/result_collector.h"
#include "gtest/gtest.h"
#include "tests/support/http_target.h"
#include "tests/support/ports.h"

namespace uptime::agent {
namespace {

using ::uptime::testing::HttpTarget;

using Results = ResultCollector;

v1::AssignedMonitor HttpMonitor(const std::string& url, absl::Duration timeout = absl::Seconds(3)) {
  v1::AssignedMonitor am;
  am.set_epoch(7);
  v1::Monitor* m = am.mutable_monitor();
  m->set_id("mon-1");
  m->mutable_http()->set_url(url);
  m->mutable_interval()->set_seconds(60);
  m->mutable_timeout()->set_seconds(absl::ToInt64Seconds(timeout));
  m->mutable_timeout()->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(timeout % absl::Seconds(1))));
  return am;
}

v1::AssignedMonitor TcpMonitor(int port) {
  v1::AssignedMonitor am = HttpMonitor("");
  am.mutable_monitor()->mutable_tcp()->set_host("127.0.0.1");
  am.mutable_monitor()->mutable_tcp()->set_port(port);
  return am;
}

// Every test runs with plain-HTTP checks on the loop (HttpCheck, the
// default) and as curl transfers (--http-client=curl): both must agree.
class CheckEngineTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    CheckEngineOptions options;
    options.identity = {"agent-a", {{"region", "eu-west"}}};
    options.http_on_loop = GetParam();
    auto engine = CheckEngine::Create(options, results_.callback());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    engine_->Start();
  }

  std::unique_ptr<HttpTarget> StartTarget(HttpTarget::Options options = {}) {
    auto target = HttpTarget::Start(options);
    EXPECT_TRUE(target.ok()) << target.status();
    return target.ok() ? std::move(*target) : nullptr;
  }

  // Runs one check and returns its result.
  v1::CheckResult Check(v1::AssignedMonitor monitor) {
    const size_t before = results_.size();
    EXPECT_TRUE(engine_->RunOnce(std::move(monitor)).ok());
    auto all = results_.Wait(before + 1);
    EXPECT_EQ(all.size(), before + 1);
    return all.empty() ? v1::CheckResult() : all.back();
  }

  Results results_;
  std::unique_ptr<CheckEngine> engine_;
};

TEST_P(CheckEngineTest, HttpUp) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  v1::CheckResult r = Check(HttpMonitor(target->url("/health")));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_UNSPECIFIED);
  EXPECT_EQ(r.monitor_id(), "mon-1");
  EXPECT_EQ(r.agent_id(), "agent-a");
  EXPECT_EQ(r.location(), "eu-west");
  EXPECT_EQ(r.epoch(), 7);
  EXPECT_GT(r.latency_us(), 0);
  EXPECT_GT(r.start_time_us(), 0);
  EXPECT_EQ(r.tls_cert_expiry_unix(), 0);
  EXPECT_EQ(target->request_count(), 1);
}

TEST_P(CheckEngineTest, RequestCarriesMethodHeadersAndBody) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  v1::AssignedMonitor m = HttpMonitor(target->url("/submit"));
  v1::HttpSpec* http = m.mutable_monitor()->mutable_http();
  http->set_method("put");
  http->set_body("{\"ping\":1}");
  auto* h = http->add_headers();
  h->set_name("X-Probe");
  h->set_value("yes");
  EXPECT_TRUE(Check(m).success());
  auto requests = target->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/submit");
  EXPECT_EQ(requests[0].body, "{\"ping\":1}");
  EXPECT_EQ(requests[0].Header("X-Probe"), "yes");
  EXPECT_NE(requests[0].Header("User-Agent").find("uptime-agent/"), std::string::npos);
}

TEST_P(CheckEngineTest, Status503IsStatusError) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  target->SetStatus(503);
  v1::CheckResult r = Check(HttpMonitor(target->url("/")));
  EXPECT_FALSE(r.success());
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_STATUS);
  EXPECT_EQ(r.http_status(), 503);
  EXPECT_NE(r.error_message().find("503"), std::string::npos) << r.error_message();
}

TEST_P(CheckEngineTest, AcceptedStatusRanges) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  target->SetStatus(404);
  v1::AssignedMonitor m = HttpMonitor(target->url("/"));
  auto* range = m.mutable_monitor()->mutable_http()->add_accepted_statuses();
  range->set_min(404);
  range->set_max(404);
  EXPECT_TRUE(Check(m).success());
  target->SetStatus(200);
  EXPECT_EQ(Check(m).error_kind(), v1::ERROR_KIND_STATUS);
}

TEST_P(CheckEngineTest, KeywordPresentAndAbsent) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  target->SetBody("status: healthy");
  v1::AssignedMonitor m = HttpMonitor(target->url("/"));
  m.mutable_monitor()->mutable_http()->set_keyword("healthy");
  EXPECT_TRUE(Check(m).success());

  m.mutable_monitor()->mutable_http()->set_keyword("ready");
  v1::CheckResult missing = Check(m);
  EXPECT_EQ(missing.error_kind(), v1::ERROR_KIND_KEYWORD);
  EXPECT_EQ(missing.http_status(), 200);

  m.mutable_monitor()->mutable_http()->clear_keyword();
  m.mutable_monitor()->mutable_http()->set_keyword_absent("healthy");
  EXPECT_EQ(Check(m).error_kind(), v1::ERROR_KIND_KEYWORD);
  m.mutable_monitor()->mutable_http()->set_keyword_absent("error");
  EXPECT_TRUE(Check(m).success());
}

TEST_P(CheckEngineTest, KeywordInLargeBodyStopsEarly) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  target->SetBody(absl::StrCat("found-me", std::string(4 << 20, 'x')));
  v1::AssignedMonitor m = HttpMonitor(target->url("/"));
  m.mutable_monitor()->mutable_http()->set_keyword("found-me");
  v1::CheckResult r = Check(m);
  EXPECT_TRUE(r.success()) << r.error_message();
  // Past the 1 MiB cap: not found.
  target->SetBody(absl::StrCat(std::string(2 << 20, 'x'), "found-me"));
  EXPECT_EQ(Check(m).error_kind(), v1::ERROR_KIND_KEYWORD);
}

TEST_P(CheckEngineTest, SlowServerTimesOut) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  target->SetDelay(absl::Seconds(3));
  const absl::Time start = absl::Now();
  v1::CheckResult r = Check(HttpMonitor(target->url("/"), absl::Milliseconds(300)));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_GE(r.latency_us(), 250'000);
}

TEST_P(CheckEngineTest, ClosedPortIsConnectError) {
  const int port = ::uptime::testing::PickFreePort();
  v1::CheckResult r = Check(HttpMonitor(absl::StrCat("http://127.0.0.1:", port, "/")));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  EXPECT_EQ(r.http_status(), 0);
}

TEST_P(CheckEngineTest, EmptyReplyIsProtocolError) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  target->SetCloseWithoutResponse(true);
  v1::CheckResult r = Check(HttpMonitor(target->url("/")));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_PROTOCOL) << r.error_message();
}

TEST_P(CheckEngineTest, SelfSignedCertificateFailsVerification) {
  HttpTarget::Options options;
  options.tls = true;
  options.cert_not_after = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) + 86400 * 30);
  auto target = StartTarget(options);
  ASSERT_NE(target, nullptr);
  v1::CheckResult r = Check(HttpMonitor(target->url("/")));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TLS) << r.error_message();
  // The expiry is known even though verification failed.
  EXPECT_EQ(r.tls_cert_expiry_unix(), absl::ToUnixSeconds(options.cert_not_after));
}

TEST_P(CheckEngineTest, SkipVerifyReportsCertificateExpiry) {
  HttpTarget::Options options;
  options.tls = true;
  options.cert_not_after = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) + 86400 * 10);
  auto target = StartTarget(options);
  ASSERT_NE(target, nullptr);
  v1::AssignedMonitor m = HttpMonitor(target->url("/"));
  m.mutable_monitor()->mutable_http()->set_insecure_skip_tls_verify(true);
  for (int i = 0; i < 2; ++i) {  // no TLS session reuse: the cert is seen every time
    v1::CheckResult r = Check(m);
    EXPECT_TRUE(r.success()) << r.error_message();
    EXPECT_EQ(r.tls_cert_expiry_unix(), absl::ToUnixSeconds(options.cert_not_after));
    EXPECT_GT(r.tls_us(), 0);
  }
}

TEST_P(CheckEngineTest, RedirectsFollowedOrNot) {
  auto final_target = StartTarget();
  auto redirecting = StartTarget();
  ASSERT_NE(final_target, nullptr);
  ASSERT_NE(redirecting, nullptr);
  final_target->SetBody("landed here");
  redirecting->SetRedirect(final_target->url("/landing"));
  v1::AssignedMonitor m = HttpMonitor(redirecting->url("/"));
  m.mutable_monitor()->mutable_http()->set_keyword("landed");
  v1::CheckResult followed = Check(m);
  EXPECT_TRUE(followed.success()) << followed.error_message();
  EXPECT_EQ(followed.http_status(), 200);
  EXPECT_EQ(final_target->request_count(), 1);

  m.mutable_monitor()->mutable_http()->clear_keyword();
  m.mutable_monitor()->mutable_http()->set_follow_redirects(false);
  v1::CheckResult not_followed = Check(m);
  EXPECT_TRUE(not_followed.success()) << not_followed.error_message();
  EXPECT_EQ(not_followed.http_status(), 302);
  EXPECT_EQ(final_target->request_count(), 1);
}

TEST_P(CheckEngineTest, TcpOpenAndClosed) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  v1::CheckResult open = Check(TcpMonitor(target->port()));
  EXPECT_TRUE(open.success()) << open.error_message();
  EXPECT_EQ(open.http_status(), 0);
  v1::CheckResult closed = Check(TcpMonitor(::uptime::testing::PickFreePort()));
  EXPECT_EQ(closed.error_kind(), v1::ERROR_KIND_CONNECT) << closed.error_message();
}

TEST_P(CheckEngineTest, UnsupportedTypeIsInternalResult) {
  v1::AssignedMonitor m = HttpMonitor("");
  m.mutable_monitor()->clear_http();  // no check kind at all
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_INTERNAL);
  EXPECT_NE(r.error_message().find("untyped"), std::string::npos) << r.error_message();
}

TEST_P(CheckEngineTest, ScheduledChecksRunOnTheirSlots) {
  auto target = StartTarget();
  ASSERT_NE(target, nullptr);
  v1::AssignedMonitor m = HttpMonitor(target->url("/"), absl::Milliseconds(100));
  m.mutable_monitor()->mutable_interval()->set_seconds(0);
  m.mutable_monitor()->mutable_interval()->set_nanos(200'000'000);
  ASSERT_TRUE(engine_->ReplaceAll({m}).ok());
  const absl::Time assigned = absl::Now();
  auto rs = results_.Wait(4, absl::Seconds(5));
  ASSERT_GE(rs.size(), 4u);
  // A new monitor is checked promptly (within its interval here), then on
  // its phase-aligned slots.
  EXPECT_LT(rs[0].scheduled_time_us(), absl::ToUnixMicros(assigned + absl::Milliseconds(200)));
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(rs[i].success()) << rs[i].error_message();
    // Started within a few ms of the slot (loose: shared CI machines).
    EXPECT_LT(rs[i].start_time_us() - rs[i].scheduled_time_us(), 50'000);
    EXPECT_GE(rs[i].start_time_us(), rs[i].scheduled_time_us());
    if (i == 0) continue;
    EXPECT_EQ(rs[i].scheduled_time_us() % 200'000,
              absl::ToInt64Microseconds(Scheduler::Phase("mon-1", absl::Milliseconds(200))));
    if (i > 1) {
      EXPECT_EQ(rs[i].scheduled_time_us() - rs[i - 1].scheduled_time_us(), 200'000);
    }
  }
  EXPECT_EQ(engine_->stats().monitors, 1);

  // An empty assignment stops checking.
  ASSERT_TRUE(engine_->ReplaceAll({}).ok());
  ASSERT_TRUE(engine_->WaitIdle(absl::Seconds(2)));
  const size_t settled = results_.size();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(results_.size(), settled);
  EXPECT_EQ(engine_->stats().monitors, 0);
}

INSTANTIATE_TEST_SUITE_P(HttpClients, CheckEngineTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Loop" : "Curl";
                         });

}  // namespace
}  // namespace uptime::agent
