#include "coordinator/notifiers/notifier.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "coordinator/notifiers/http_post.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::notifiers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class FakeNotifier : public Notifier {
 public:
  absl::Status Send(const Alert&) override { return absl::OkStatus(); }
};

// Tests inject factories like this one (Envoy's registry shape).
class FakeFactory : public NotifierFactory {
 public:
  explicit FakeFactory(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  absl::Status ValidateConfig(const NotifierConfig& config) const override {
    return config.count("token") ? absl::OkStatus()
                                 : absl::InvalidArgumentError("config.token: required");
  }
  std::vector<std::string> SecretKeys() const override { return {"token"}; }
  absl::StatusOr<std::unique_ptr<Notifier>> Create(const NotifierConfig& config,
                                                   const NotifierDeps&) const override {
    if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
    return std::make_unique<FakeNotifier>();
  }

 private:
  std::string name_;
};

TEST(NotifierRegistryTest, RegistersFindsAndRejectsDuplicates) {
  NotifierRegistry registry;
  ASSERT_TRUE(registry.Register(std::make_unique<FakeFactory>("zeta")).ok());
  ASSERT_TRUE(registry.Register(std::make_unique<FakeFactory>("alpha")).ok());
  const absl::Status dup = registry.Register(std::make_unique<FakeFactory>("zeta"));
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(), HasSubstr("zeta"));
  EXPECT_THAT(registry.names(), ElementsAre("alpha", "zeta"));
  ASSERT_NE(registry.Find("alpha"), nullptr);
  EXPECT_EQ(registry.Find("alpha")->name(), "alpha");
  EXPECT_EQ(registry.Find("beta"), nullptr);
}

TEST(NotifierRegistryTest, RejectsBadNamesAndNull) {
  NotifierRegistry registry;
  EXPECT_EQ(registry.Register(nullptr).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.Register(std::make_unique<FakeFactory>("Bad Name")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.Register(std::make_unique<FakeFactory>("")).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NotifierRegistryTest, UnknownTypeNamesTheField) {
  NotifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
  const absl::Status s = registry.Validate("teams", {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("type: unknown notifier type \"teams\""));
  EXPECT_THAT(s.message(), HasSubstr("slack"));
  EXPECT_FALSE(registry.Create("teams", {}, {}).ok());
}

TEST(NotifierRegistryTest, BuiltinsRegisterOnceAndCreate) {
  NotifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
  EXPECT_THAT(registry.names(), ElementsAre("email", "pagerduty", "slack", "webhook"));
  EXPECT_EQ(RegisterBuiltinNotifiers(&registry).code(), absl::StatusCode::kAlreadyExists);
  auto n = registry.Create("webhook", {{"url", "http://127.0.0.1:1/x"}}, {});
  EXPECT_TRUE(n.ok()) << n.status();
  auto bad = registry.Create("webhook", {{"url", "ftp://x"}}, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RedactTest, SecretsKeepOnlyTheLastFourCharacters) {
  EXPECT_EQ(RedactSecret("https://hooks.slack.com/services/T0/B0/abcdWXYZ"), "****WXYZ");
  EXPECT_EQ(RedactSecret("short"), "****");
  EXPECT_EQ(RedactSecret(""), "****");
  FakeFactory factory("fake");
  const NotifierConfig redacted =
      RedactConfig(factory, {{"token", "0123456789abcdef"}, {"channel", "#ops"}});
  EXPECT_EQ(redacted.at("token"), "****cdef");
  EXPECT_EQ(redacted.at("channel"), "#ops");
}

TEST(RedactTest, RestoresSecretsSentBackRedacted) {
  FakeFactory factory("fake");
  const NotifierConfig previous = {{"token", "0123456789abcdef"}, {"channel", "#a"}};
  NotifierConfig updated = RedactConfig(factory, previous);
  updated["channel"] = "#b";
  NotifierConfig merged = RestoreRedactedSecrets(factory, previous, updated);
  EXPECT_EQ(merged.at("token"), "0123456789abcdef");
  EXPECT_EQ(merged.at("channel"), "#b");
  updated["token"] = "a-new-token-value";
  merged = RestoreRedactedSecrets(factory, previous, updated);
  EXPECT_EQ(merged.at("token"), "a-new-token-value");
}

TEST(DeliveryStatusTest, RetryableCarriesRetryAfter) {
  const absl::Status s = RetryableError("slack webhook: HTTP 429", absl::Seconds(2));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(s));
  EXPECT_EQ(RetryAfter(s), absl::Seconds(2));
  EXPECT_EQ(RetryAfter(RetryableError("x")), std::nullopt);
  EXPECT_FALSE(IsRetryable(PermanentError("x")));
  EXPECT_EQ(PermanentError("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(PermanentError("x", false).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsRetryable(absl::OkStatus()));
}

HttpPostResponse Response(int status, std::optional<absl::Duration> retry_after = {}) {
  HttpPostResponse r;
  r.status = status;
  r.body = "error body";
  r.retry_after = retry_after;
  return r;
}

TEST(ClassifyTest, StatusCodesMapToRetryOrPermanent) {
  HttpPostRequest req;
  req.what = "slack webhook";
  EXPECT_TRUE(ClassifyHttpResponse(req, Response(200)).ok());
  EXPECT_TRUE(ClassifyHttpResponse(req, Response(202)).ok());
  const absl::Status s500 = ClassifyHttpResponse(req, Response(500));
  EXPECT_TRUE(IsRetryable(s500));
  EXPECT_THAT(s500.message(), HasSubstr("slack webhook: HTTP 500: error body"));
  const absl::Status s429 = ClassifyHttpResponse(req, Response(429, absl::Seconds(2)));
  EXPECT_TRUE(IsRetryable(s429));
  EXPECT_EQ(RetryAfter(s429), absl::Seconds(2));
  EXPECT_TRUE(IsRetryable(ClassifyHttpResponse(req, Response(408))));
  EXPECT_EQ(ClassifyHttpResponse(req, Response(400)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ClassifyHttpResponse(req, Response(404)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ClassifyHttpResponse(req, Response(403)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ClassifyHttpResponse(req, Response(301)).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ClassifyTest, ScrubsTheUrlAndSecretsFromMessages) {
  HttpPostRequest req;
  req.what = "pagerduty";
  req.url = "https://hooks.example.com/services/T0/B0/SECRETPATH";
  req.secrets = {"routingkey0123456789abcdefghijkl"};
  HttpPostResponse r = Response(400);
  r.body = "bad event {routing_key: routingkey0123456789abcdefghijkl} at /services/T0/B0/SECRETPATH";
  const absl::Status s = ClassifyHttpResponse(req, r);
  EXPECT_THAT(s.message(), Not(HasSubstr("routingkey0123")));
  EXPECT_THAT(s.message(), Not(HasSubstr("SECRETPATH")));
  EXPECT_THAT(s.message(), HasSubstr("****"));
}

TEST(RetryAfterTest, SecondsAndHttpDates) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);  // Tue, 14 Nov 2023 22:13:20
  EXPECT_EQ(ParseRetryAfter("2", now), absl::Seconds(2));
  EXPECT_EQ(ParseRetryAfter(" 120 ", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now), absl::Seconds(30));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("-1", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
}

TEST(UrlTest, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.evil.com"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  auto parts = ParseUrl("HTTP://[::1]:8080/a/b?c=d");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->scheme, "http");
  EXPECT_EQ(parts->host, "::1");
  EXPECT_EQ(parts->path_and_query, "/a/b?c=d");
  EXPECT_FALSE(ParseUrl("not a url").ok());
}

}  // namespace
}  // namespace uptime::notifiers
