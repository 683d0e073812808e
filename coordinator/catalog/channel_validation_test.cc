// ValidateChannel without a registry: what uptimectl checks before sending.
// Name uniqueness is the registry's (channel_registry_test.cc).
#include "coordinator/catalog/channel_validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ChannelValidationTest : public ::testing::Test {
 protected:
  ChannelValidationTest() { EXPECT_TRUE(notifiers::RegisterBuiltinNotifiers(&notifiers_).ok()); }

  static v1::Channel Slack() {
    v1::Channel c;
    c.set_name("ops");
    c.set_type("slack");
    (*c.mutable_config())["webhook_url"] =
        "https://hooks.slack.com/services/T000/B000/XXXXXXXXsecret1234";
    (*c.mutable_labels())["managed-by"] = "uptimectl";
    return c;
  }

  // The message of the error for `c`, which must be INVALID_ARGUMENT.
  std::string Error(const v1::Channel& c) {
    absl::Status s = ValidateChannel(c, notifiers_);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    return std::string(s.message());
  }

  notifiers::NotifierRegistry notifiers_;
};

TEST_F(ChannelValidationTest, ValidChannelPasses) {
  EXPECT_TRUE(ValidateChannel(Slack(), notifiers_).ok());
  v1::Channel c = Slack();
  c.set_id("ignored");
  c.set_name(std::string(kMaxChannelNameChars, 'x'));
  EXPECT_TRUE(ValidateChannel(c, notifiers_).ok());
}

TEST_F(ChannelValidationTest, EachErrorNamesTheField) {
  v1::Channel c = Slack();
  c.set_name(" ");
  EXPECT_THAT(Error(c), StartsWith("channel.name: is required"));
  c.set_name(std::string(kMaxChannelNameChars + 1, 'x'));
  EXPECT_THAT(Error(c), StartsWith("channel.name: must be at most 200"));

  c = Slack();
  (*c.mutable_labels())["bad key!"] = "x";
  EXPECT_THAT(Error(c), StartsWith("channel.labels"));
  c = Slack();
  (*c.mutable_labels())["k"] = "line\nbreak";
  EXPECT_THAT(Error(c), StartsWith("channel.labels"));
  c = Slack();
  for (int i = 0; i < 65; ++i) (*c.mutable_labels())["k" + std::to_string(i)] = "v";
  EXPECT_THAT(Error(c), StartsWith("channel.labels: at most 64 labels"));

  c = Slack();
  c.clear_type();
  EXPECT_THAT(Error(c), StartsWith("channel.type: is required"));
  c.set_type("carrier-pigeon");
  EXPECT_THAT(Error(c), AllOf(StartsWith("channel.type: unknown notifier type"), HasSubstr("slack")));

  c = Slack();
  (*c.mutable_config())["webhook_url"] = "http://example.com/hook-secret-value";
  EXPECT_THAT(Error(c), AllOf(StartsWith("channel.config.webhook_url: "),
                              Not(HasSubstr("hook-secret-value"))));
  c = Slack();
  (*c.mutable_config())["chanel"] = "#x";
  EXPECT_THAT(Error(c), StartsWith("channel.config.chanel: "));
}

TEST_F(ChannelValidationTest, TypesComeFromTheGivenRegistry) {
  notifiers::NotifierRegistry empty;
  absl::Status s = ValidateChannel(Slack(), empty);
  EXPECT_THAT(std::string(s.message()), StartsWith("channel.type: unknown notifier type 'slack'"));
}

}  // namespace
}  // namespace uptime::coordinator
