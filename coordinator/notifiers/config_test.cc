// Config validation of the built-in notifiers: every error names the key.
#include <string>
#include <vector>

#include "coordinator/notifiers/notifier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::notifiers {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kSlackUrl[] = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX";
constexpr char kConfigRoutingKey[] = "abcdef0123456789abcdef0123456789";

struct Case {
  std::string type;
  NotifierConfig config;
  std::string error_prefix;  // "" means valid
};

class ConfigValidationTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConfigValidationTest, NamesTheKey) {
  NotifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
  const Case& c = GetParam();
  const absl::Status s = registry.Validate(c.type, c.config);
  if (c.error_prefix.empty()) {
    EXPECT_TRUE(s.ok()) << s;
    return;
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith(c.error_prefix));
  // Secret values never appear in the message.
  for (const std::string& key : registry.Find(c.type)->SecretKeys()) {
    auto it = c.config.find(key);
    if (it != c.config.end() && it->second.size() > 4) {
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(it->second)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Builtins, ConfigValidationTest,
    ::testing::Values(
        Case{"slack", {{"webhook_url", kSlackUrl}}, ""},
        Case{"slack", {{"webhook_url", kSlackUrl}, {"channel", "#ops"}, {"username", "up"}}, ""},
        Case{"slack", {{"webhook_url", "http://127.0.0.1:8080/hook"}}, ""},
        Case{"slack", {}, "config.webhook_url: required"},
        Case{"slack",
             {{"webhook_url", "http://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"}},
             "config.webhook_url: must be an https:// URL"},
        Case{"slack", {{"webhook_url", "ftp://hooks.slack.com/x"}},
             "config.webhook_url: must be an https:// URL"},
        Case{"slack", {{"webhook_url", "::not a url::SECRETSECRET"}}, "config.webhook_url: "},
        Case{"slack", {{"webhook_url", kSlackUrl}, {"chanel", "#typo"}},
             "config.chanel: unknown key"},
        Case{"slack", {{"webhook_url", kSlackUrl}, {"channel", std::string(81, 'c')}},
             "config.channel: "},
        Case{"webhook", {{"url", "http://alerts.internal/hook"}}, ""},
        Case{"webhook", {{"url", "https://x.example/h"}, {"secret", "0123456789abcdefXYZ"}}, ""},
        Case{"webhook", {}, "config.url: required"},
        Case{"webhook", {{"url", "gopher://x"}}, "config.url: must be an http:// or https:// URL"},
        Case{"webhook", {{"url", "https://user:pw@x.example/h"}},
             "config.url: must not contain credentials"},
        Case{"webhook", {{"url", "https://x.example/h"}, {"secret", "short"}},
             "config.secret: at least 16 characters"},
        Case{"pagerduty", {{"routing_key", kConfigRoutingKey}}, ""},
        Case{"pagerduty",
             {{"routing_key", kConfigRoutingKey},
              {"url", "http://127.0.0.1:9/v2/enqueue"},
              {"severity", "warning"}},
             ""},
        Case{"pagerduty", {}, "config.routing_key: required"},
        Case{"pagerduty", {{"routing_key", "tooshortSECRET"}},
             "config.routing_key: must be the 32-character integration key"},
        Case{"pagerduty", {{"routing_key", kConfigRoutingKey}, {"url", "http://events.example.com/x"}},
             "config.url: must be an https:// URL"},
        Case{"pagerduty", {{"routing_key", kConfigRoutingKey}, {"severity", "panic"}},
             "config.severity: must be one of"},
        Case{"email",
             {{"url", "smtp://mail.example.com:587"},
              {"from", "uptime@example.com"},
              {"to", "a@example.com, b@example.com"},
              {"username", "u"},
              {"password", "hunter2hunter2"}},
             ""},
        Case{"email", {{"from", "u@example.com"}, {"to", "a@example.com"}},
             "config.url: required"},
        Case{"email",
             {{"url", "https://mail.example.com"}, {"from", "u@example.com"}, {"to", "a@b.c"}},
             "config.url: must be an smtp:// or smtps:// URL"},
        Case{"email",
             {{"url", "smtp://u:hunter2hunter2@mail.example.com"},
              {"from", "u@example.com"},
              {"to", "a@b.c"}},
             "config.url: must not contain credentials"},
        Case{"email", {{"url", "smtp://m.example.com"}, {"to", "a@b.c"}}, "config.from: required"},
        Case{"email", {{"url", "smtp://m.example.com"}, {"from", "nobody"}, {"to", "a@b.c"}},
             "config.from: not an email address"},
        Case{"email", {{"url", "smtp://m.example.com"}, {"from", "u@example.com"}},
             "config.to: required"},
        Case{"email",
             {{"url", "smtp://m.example.com"},
              {"from", "u@example.com"},
              {"to", "a@b.c, evil\r\nRCPT TO:<x@y>"}},
             "config.to: contains an invalid email address"},
        Case{"email",
             {{"url", "smtp://m.example.com"},
              {"from", "u@example.com"},
              {"to", "a@b.c"},
              {"password", "hunter2hunter2"}},
             "config.username: required when a password is set"},
        Case{"email",
             {{"url", "smtp://m.example.com"},
              {"from", "u@example.com"},
              {"to", "a@b.c"},
              {"starttls", "maybe"}},
             "config.starttls: must be required, try or off"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return info.param.type + "_" + std::to_string(info.index);
    });

TEST(ConfigTest, SecretKeysOfBuiltins) {
  NotifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
  EXPECT_EQ(registry.Find("slack")->SecretKeys(), std::vector<std::string>{"webhook_url"});
  EXPECT_EQ(registry.Find("webhook")->SecretKeys(), std::vector<std::string>{"secret"});
  EXPECT_EQ(registry.Find("pagerduty")->SecretKeys(), std::vector<std::string>{"routing_key"});
  EXPECT_EQ(registry.Find("email")->SecretKeys(), std::vector<std::string>{"password"});
  const NotifierConfig redacted =
      RedactConfig(*registry.Find("slack"), {{"webhook_url", kSlackUrl}, {"channel", "#ops"}});
  EXPECT_EQ(redacted.at("webhook_url"), "****XXXX");
  EXPECT_EQ(redacted.at("channel"), "#ops");
}

}  // namespace
}  // namespace uptime::notifiers
