// HttpPoster and the retry classification against a real HTTP server.
#include "coordinator/notifiers/http_post.h"

#include <sstream>

#include "coordinator/notifiers/notifier.h"
#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"
#include "tests/support/webhook_sink.h"

namespace uptime::notifiers {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using uptime::testing::WebhookSink;

constexpr char kSecretPath[] = "/services/T0000/B0000/S3cr3tP4thXYZ";
constexpr char kRoutingKey[] = "R0UT1NGKEYabcdef0123456789abcdef";

class HttpPostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = WebhookSink::Start();
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = *std::move(sink);
  }

  // A slack notifier pointed at the sink's secret path.
  std::unique_ptr<Notifier> Slack() {
    NotifierRegistry registry;
    EXPECT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
    auto n = registry.Create("slack", {{"webhook_url", sink_->url(kSecretPath)}}, deps_);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *std::move(n) : nullptr;
  }

  NotifierDeps deps_;
  std::unique_ptr<WebhookSink> sink_;
};

TEST_F(HttpPostTest, ServerErrorIsRetryable) {
  sink_->ScriptResponses({{500, "internal_error", ""}});
  const absl::Status s = Slack()->Send(test::SampleDownAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(s));
  EXPECT_EQ(RetryAfter(s), std::nullopt);
  EXPECT_THAT(s.message(), HasSubstr("slack webhook: HTTP 500: internal_error"));
  EXPECT_EQ(sink_->count(), 1u);
}

TEST_F(HttpPostTest, TooManyRequestsCarriesRetryAfter) {
  sink_->ScriptResponses({{429, "rate_limited", "2"}});
  const absl::Status s = Slack()->Send(test::SampleDownAlert());
  EXPECT_TRUE(IsRetryable(s)) << s;
  EXPECT_EQ(RetryAfter(s), absl::Seconds(2));
}

TEST_F(HttpPostTest, RetryAfterAsHttpDateUsesTheInjectedClock) {
  SimulatedClock clock(absl::FromUnixSeconds(1'700'000'000));
  deps_.clock = &clock;
  sink_->ScriptResponses({{503, "", "Tue, 14 Nov 2023 22:14:20 GMT"}});
  const absl::Status s = Slack()->Send(test::SampleDownAlert());
  EXPECT_TRUE(IsRetryable(s));
  EXPECT_EQ(RetryAfter(s), absl::Seconds(60));
}

TEST_F(HttpPostTest, BadRequestIsPermanent) {
  sink_->ScriptResponses({{400, "invalid_payload", ""}});
  const absl::Status s = Slack()->Send(test::SampleDownAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsRetryable(s));
  sink_->ScriptResponses({{404, "no_team", ""}});
  EXPECT_EQ(Slack()->Send(test::SampleDownAlert()).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(HttpPostTest, ConnectionRefusedIsRetryable) {
  const std::string url = sink_->url(kSecretPath);
  sink_.reset();  // nothing listens on the port any more
  HttpPoster poster;
  HttpPostRequest req;
  req.url = url;
  req.what = "slack webhook";
  const absl::Status s = poster.PostAndClassify(req);
  EXPECT_TRUE(IsRetryable(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("slack webhook: delivery failed"));
  EXPECT_THAT(s.message(), Not(HasSubstr("S3cr3tP4th")));
}

TEST_F(HttpPostTest, SecretsStayOutOfMessagesAndLogs) {
  std::ostringstream logs;
  auto previous = spdlog::default_logger();
  auto capture = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(logs));
  capture->set_level(spdlog::level::trace);
  spdlog::set_default_logger(capture);

  // The receiver echoes the request line and the event, as some do.
  sink_->ScriptResponses(
      {{500, std::string("failed POST ") + kSecretPath, ""},
       {400, std::string("bad event routing_key=") + kRoutingKey, ""}});
  const absl::Status slack = Slack()->Send(test::SampleDownAlert());

  NotifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
  auto pd = registry.Create("pagerduty",
                            {{"routing_key", kRoutingKey}, {"url", sink_->url("/v2/enqueue")}},
                            deps_);
  ASSERT_TRUE(pd.ok()) << pd.status();
  const absl::Status pagerduty = (*pd)->Send(test::SampleDownAlert());

  // And a transport failure, whose curl message could quote the URL.
  HttpPoster poster;
  HttpPostRequest req;
  req.url = std::string("http://127.0.0.1:1") + kSecretPath;
  req.what = "slack webhook";
  const absl::Status refused = poster.PostAndClassify(req);

  spdlog::set_default_logger(previous);
  EXPECT_FALSE(slack.ok());
  EXPECT_FALSE(pagerduty.ok());
  EXPECT_FALSE(refused.ok());
  for (const absl::Status& s : {slack, pagerduty, refused}) {
    EXPECT_THAT(s.message(), Not(HasSubstr("S3cr3tP4th"))) << s;
    EXPECT_THAT(s.message(), Not(HasSubstr(kRoutingKey))) << s;
  }
  EXPECT_THAT(slack.message(), HasSubstr("****"));
  EXPECT_THAT(pagerduty.message(), HasSubstr("routing_key=****"));
  EXPECT_THAT(logs.str(), HasSubstr("HTTP 500"));  // the capture did work
  EXPECT_THAT(logs.str(), Not(HasSubstr("S3cr3tP4th")));
  EXPECT_THAT(logs.str(), Not(HasSubstr(kRoutingKey)));
}

TEST_F(HttpPostTest, SendsJsonWithoutExpectAndCapsTheBody) {
  HttpPoster poster;
  HttpPostRequest req;
  req.url = sink_->url("/x");
  req.body = std::string(4096, 'a');  // above curl's 1 KiB Expect threshold
  req.headers = {{"X-Test", "1"}};
  req.max_response_bytes = 10;
  sink_->ScriptResponses({{200, std::string(100000, 'b'), ""}});
  auto response = poster.Post(req);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::string(10, 'b'));
  EXPECT_TRUE(response->body_truncated);
  ASSERT_EQ(sink_->count(), 1u);
  const auto r = sink_->requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.Header("Expect"), "");
  EXPECT_EQ(r.Header("X-Test"), "1");
  EXPECT_EQ(r.body.size(), 4096u);
  // The pooled handle works again after a truncated transfer.
  EXPECT_TRUE(poster.PostAndClassify(req).ok());
}

TEST_F(HttpPostTest, RejectsOtherSchemes) {
  HttpPoster poster;
  HttpPostRequest req;
  req.url = "file:///etc/passwd";
  EXPECT_EQ(poster.Post(req).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(HttpPostTlsTest, VerifiesCertificates) {
  auto sink = WebhookSink::Start({.tls = true});
  ASSERT_TRUE(sink.ok()) << sink.status();
  HttpPoster poster;
  HttpPostRequest req;
  req.url = (*sink)->url("/hook");
  req.what = "slack webhook";
  // The self-signed certificate is not in the system store: refused.
  const absl::Status untrusted = poster.PostAndClassify(req);
  EXPECT_TRUE(IsRetryable(untrusted)) << untrusted;
  EXPECT_EQ((*sink)->count(), 0u);
  // Trusted through NotifierDeps::ca_file: delivered.
  req.ca_file = (*sink)->cert_path();
  EXPECT_TRUE(poster.PostAndClassify(req).ok());
  EXPECT_EQ((*sink)->count(), 1u);
}

}  // namespace
}  // namespace uptime::notifiers
