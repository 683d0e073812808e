// The email notifier end to end against a real (tiny) SMTP server.
#include "coordinator/notifiers/email.h"

#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/smtp_sink.h"

namespace uptime::notifiers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using uptime::testing::SmtpSink;
using uptime::testing::SmtpStage;

constexpr char kPassword[] = "s3cret-smtp-password";

class EmailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = SmtpSink::Start({.username = "alerts", .password = kPassword});
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = *std::move(sink);
    deps_.clock = &clock_;
    deps_.timeout = absl::Seconds(5);
  }

  NotifierConfig Config() const {
    return {{"url", sink_->url()},
            {"from", "uptime@example.com"},
            {"to", "oncall@example.com, lead@example.com"},
            {"username", "alerts"},
            {"password", kPassword}};
  }

  std::unique_ptr<Notifier> Make(const NotifierConfig& config) {
    auto n = MakeEmailFactory()->Create(config, deps_);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *std::move(n) : nullptr;
  }

  SimulatedClock clock_{test::SampleTime() + absl::Seconds(3)};
  NotifierDeps deps_;
  std::unique_ptr<SmtpSink> sink_;
};

TEST_F(EmailTest, DeliversMultipartAlert) {
  ASSERT_TRUE(Make(Config())->Send(test::SampleDownAlert()).ok());
  ASSERT_EQ(sink_->count(), 1u);
  const auto m = sink_->messages()[0];
  EXPECT_EQ(m.mail_from, "uptime@example.com");
  EXPECT_THAT(m.rcpt_to, ElementsAre("oncall@example.com", "lead@example.com"));
  EXPECT_FALSE(m.auth_mechanism.empty());
  EXPECT_EQ(m.auth_username, "alerts");
  EXPECT_EQ(m.auth_password, kPassword);

  const test::ParsedMime mime = test::ParseMime(m.data);
  EXPECT_THAT(mime.headers, HasSubstr("Subject: [DOWN] api-prod\r\n"));
  EXPECT_THAT(mime.headers, HasSubstr("From: uptime@example.com\r\n"));
  EXPECT_THAT(mime.headers, HasSubstr("To: oncall@example.com, lead@example.com\r\n"));
  EXPECT_THAT(mime.headers, HasSubstr("Date: Tue, 14 Nov 2023 22:13:23 +0000\r\n"));
  EXPECT_THAT(mime.headers, HasSubstr("Message-ID: <inc-42.1700000003000000@example.com>"));
  EXPECT_THAT(mime.headers, HasSubstr("References: <incident.inc-42@example.com>"));
  EXPECT_THAT(mime.headers, HasSubstr("X-Uptime-Event: down"));
  EXPECT_THAT(mime.text, HasSubstr("api-prod is DOWN"));
  EXPECT_THAT(mime.text, HasSubstr("Cause: status: HTTP 503 from eu-west"));
  EXPECT_THAT(mime.text, HasSubstr("Down since: 2023-11-14 22:13:20 UTC"));
  EXPECT_THAT(mime.text, HasSubstr("Dashboard: https://uptime.example.com/monitors/mon-1"));
  EXPECT_THAT(mime.html, HasSubstr("<h2>api-prod is DOWN</h2>"));
  EXPECT_THAT(mime.html, HasSubstr("<td>eu-west, us-east</td>"));
}

TEST_F(EmailTest, RecoveredSubjectSharesTheThread) {
  auto email = Make(Config());
  ASSERT_TRUE(email->Send(test::SampleDownAlert()).ok());
  clock_.Advance(absl::Minutes(4));
  ASSERT_TRUE(email->Send(test::SampleRecoveredAlert()).ok());
  ASSERT_EQ(sink_->count(), 2u);
  const test::ParsedMime mime = test::ParseMime(sink_->messages()[1].data);
  EXPECT_THAT(mime.headers, HasSubstr("Subject: [RECOVERED] api-prod\r\n"));
  EXPECT_THAT(mime.headers, HasSubstr("References: <incident.inc-42@example.com>"));
  EXPECT_THAT(mime.text, HasSubstr("Was down for: 3m 20s"));
}

TEST_F(EmailTest, OneRejectedRecipientDoesNotStopTheOthers) {
  sink_->ScriptReply(SmtpStage::kRcpt, 550, "5.1.1 mailbox unavailable");
  ASSERT_TRUE(Make(Config())->Send(test::SampleDownAlert()).ok());
  ASSERT_EQ(sink_->count(), 1u);
  EXPECT_THAT(sink_->messages()[0].rcpt_to, ElementsAre("lead@example.com"));
}

TEST_F(EmailTest, AllRecipientsRejectedIsPermanent) {
  sink_->ScriptReply(SmtpStage::kRcpt, 550, "5.1.1 mailbox unavailable");
  sink_->ScriptReply(SmtpStage::kRcpt, 550, "5.1.1 mailbox unavailable");
  const absl::Status s = Make(Config())->Send(test::SampleDownAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("550"));
  EXPECT_EQ(sink_->count(), 0u);
}

TEST_F(EmailTest, TemporaryFailureIsRetryable) {
  sink_->ScriptReply(SmtpStage::kData, 451, "4.3.0 try again later");
  const absl::Status s = Make(Config())->Send(test::SampleDownAlert());
  EXPECT_TRUE(IsRetryable(s)) << s;
  EXPECT_EQ(sink_->count(), 0u);
  // The next attempt goes through.
  EXPECT_TRUE(Make(Config())->Send(test::SampleDownAlert()).ok());
  EXPECT_EQ(sink_->count(), 1u);
}

TEST_F(EmailTest, WrongPasswordIsPermanentAndNotEchoed) {
  NotifierConfig config = Config();
  config["password"] = "wrong-password-value";
  const absl::Status s = Make(config)->Send(test::SampleDownAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("authentication failed"));
  EXPECT_THAT(s.message(), Not(HasSubstr("wrong-password-value")));
  EXPECT_GE(sink_->rejections(), 1u);
}

TEST_F(EmailTest, UnreachableServerIsRetryable) {
  NotifierConfig config = Config();
  config["url"] = "smtp://127.0.0.1:1";
  const absl::Status s = Make(config)->Send(test::SampleDownAlert());
  EXPECT_TRUE(IsRetryable(s)) << s;
  EXPECT_THAT(s.message(), Not(HasSubstr(kPassword)));
}

TEST_F(EmailTest, StartTlsRequiredButNotOffered) {
  NotifierConfig config = Config();
  config["starttls"] = "required";
  const absl::Status s = Make(config)->Send(test::SampleDownAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("STARTTLS"));
}

}  // namespace
}  // namespace uptime::notifiers
