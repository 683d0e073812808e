// `uptimectl channels ...` against a fake coordinator: configs built from
// flags and files, update merging, output formats, exit codes, and secrets
// the user typed never printed.
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kSlackUrl[] = "https://hooks.slack.com/services/T000/B000/SECRETXYZ9";
constexpr char kRoutingKey[] = "R0UT1NGKEYabcdef0123456789abcdef";

v1::Channel Ops() {
  v1::Channel c;
  c.set_id("ch-ops");
  c.set_name("ops");
  c.set_type("slack");
  (*c.mutable_config())["webhook_url"] = kSlackUrl;
  (*c.mutable_config())["channel"] = "#ops";
  c.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Minutes(5)));
  return c;
}

v1::Channel Pager() {
  v1::Channel c;
  c.set_id("ch-pager");
  c.set_name("pager");
  c.set_type("pagerduty");
  (*c.mutable_config())["routing_key"] = kRoutingKey;
  c.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(2)));
  return c;
}

// A file in the test's temporary directory, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(absl::StrCat(::testing::TempDir(), "/", name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_F(CliTest, ChannelsCreateSendsConfigAndNeverEchoesSecrets) {
  ASSERT_EQ(Run({"channels", "create", "--name", "ops", "--type", "slack", "--config",
                 absl::StrCat("webhook_url=", kSlackUrl), "--config", "channel=#ops=x"}),
            kExitOk)
      << err();
  std::optional<v1::CreateChannelRequest> sent = fake_.Last<v1::CreateChannelRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->channel().name(), "ops");
  EXPECT_EQ(sent->channel().type(), "slack");
  EXPECT_THAT(sent->channel().config(),
              UnorderedElementsAre(Pair("webhook_url", kSlackUrl), Pair("channel", "#ops=x")));
  const std::vector<std::string> lines = Lines(out());
  ASSERT_EQ(lines.size(), 2u) << out();
  EXPECT_THAT(lines[0], HasSubstr("ID"));
  EXPECT_THAT(lines[0], HasSubstr("CONFIG"));
  EXPECT_THAT(lines[1], HasSubstr("ch-0000000000000001  ops   slack"));
  EXPECT_THAT(lines[1], HasSubstr("channel=#ops=x,webhook_url=****XYZ9"));
  EXPECT_THAT(out() + err(), Not(HasSubstr("SECRETXYZ9")));
}

TEST_F(CliTest, ChannelsCreateFromConfigFileFlagsWin) {
  TempFile file("pd.yaml", absl::StrCat("routing_key: ", kRoutingKey, "\nseverity: error\n"));
  ASSERT_EQ(Run({"-o", "json", "channels", "create", "--name", "pager", "--type", "pagerduty",
                 "--config-file", file.path(), "--config", "severity=critical"}),
            kExitOk)
      << err();
  std::optional<v1::CreateChannelRequest> sent = fake_.Last<v1::CreateChannelRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_THAT(sent->channel().config(), UnorderedElementsAre(Pair("routing_key", kRoutingKey),
                                                             Pair("severity", "critical")));
  v1::Channel printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.config().at("routing_key"), "****cdef");
  EXPECT_THAT(out(), Not(HasSubstr(kRoutingKey)));

  TempFile json("hook.json", R"({"url": "https://example.com/hook", "secret": "0123456789abcdefXY"})");
  ASSERT_EQ(Run({"channels", "create", "--name", "hook", "--type", "webhook", "--config-file",
                 json.path()}),
            kExitOk)
      << err();
  sent = fake_.Last<v1::CreateChannelRequest>();
  EXPECT_THAT(sent->channel().config(),
              UnorderedElementsAre(Pair("url", "https://example.com/hook"),
                                   Pair("secret", "0123456789abcdefXY")));
  EXPECT_THAT(out(), Not(HasSubstr("0123456789abcdefXY")));
}

TEST_F(CliTest, ChannelsCreateRejectsBadInputNamingTheFlag) {
  TempFile list("list.yaml", "- a\n- b\n");
  TempFile nested("nested.yaml", "to:\n  - a@example.com\n");
  TempFile broken("broken.yaml", "url: [unclosed\n");
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--type", "slack", "--config", "channel=#a"}, "--name"},
      {{"--name", "x", "--config", "channel=#a"}, "--type"},
      {{"--name", "x", "--type", "slack"}, "--config or --config-file"},
      {{"--name", "x", "--type", "slack", "--config", kSlackUrl}, "--config: expected KEY=VALUE"},
      {{"--name", "x", "--type", "slack", "--config", "=v"}, "no key"},
      {{"--name", "x", "--type", "slack", "--config-file", "/nonexistent/c.yaml"},
       "--config-file: cannot read"},
      {{"--name", "x", "--type", "slack", "--config-file", list.path()}, "map of KEY: VALUE"},
      {{"--name", "x", "--type", "email", "--config-file", nested.path()}, "value of 'to'"},
      {{"--name", "x", "--type", "slack", "--config-file", broken.path()}, "not YAML or JSON"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"channels", "create"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    EXPECT_EQ(Run(args), kExitUsage) << c.error;
    EXPECT_THAT(err(), HasSubstr(c.error));
    EXPECT_THAT(err(), Not(HasSubstr("SECRETXYZ9")));
  }
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CliTest, ChannelsListOutputFormats) {
  fake_.AddChannel(Ops());
  fake_.AddChannel(Pager());
  ASSERT_EQ(Run({"channels", "list"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID        NAME   TYPE       CONFIG                             UPDATED",
                          "ch-ops    ops    slack      channel=#ops,webhook_url=****XYZ9  5m ago",
                          "ch-pager  pager  pagerduty  routing_key=****cdef               "
                          "2h0m ago"));
  EXPECT_THAT(out(), Not(HasSubstr("SECRETXYZ9")));

  ASSERT_EQ(Run({"-o", "json", "channels", "ls", "--page-size", "1"}), kExitOk) << err();
  v1::ListChannelsResponse printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  ASSERT_EQ(printed.channels_size(), 1);
  EXPECT_EQ(printed.channels(0).id(), "ch-ops");
  EXPECT_EQ(printed.next_page_token(), "ch-ops");

  ASSERT_EQ(Run({"-o", "yaml", "channels", "list", "--all", "--page-size", "1"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("name: pager"));
  EXPECT_THAT(out(), HasSubstr("routing_key: \"****cdef\""));
}

TEST_F(CliTest, ChannelsGetAndNotFound) {
  fake_.AddChannel(Ops());
  ASSERT_EQ(Run({"-o", "yaml", "channels", "get", "ch-ops"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("name: ops"));
  EXPECT_THAT(out(), Not(HasSubstr("SECRETXYZ9")));

  EXPECT_EQ(Run({"channels", "get", "ch-nope"}), kExitNotFound);
  EXPECT_EQ(err(), "error: NOT_FOUND: channel 'ch-nope' not found\n");
}

TEST_F(CliTest, ChannelsUpdateMergesConfigAndKeepsSecrets) {
  fake_.AddChannel(Ops());
  ASSERT_EQ(Run({"channels", "update", "ch-ops", "--config", "username=uptime",
                 "--remove-config", "channel"}),
            kExitOk)
      << err();
  std::optional<v1::UpdateChannelRequest> sent = fake_.Last<v1::UpdateChannelRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_THAT(sent->update_mask().paths(), ElementsAre("config"));
  // The secret goes back as it was read (redacted); the server keeps it.
  EXPECT_THAT(sent->channel().config(), UnorderedElementsAre(Pair("webhook_url", "****XYZ9"),
                                                             Pair("username", "uptime")));
  std::optional<v1::Channel> stored = fake_.FindChannel("ch-ops");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->config().at("webhook_url"), kSlackUrl);
  EXPECT_THAT(out(), HasSubstr("username=uptime,webhook_url=****XYZ9"));

  ASSERT_EQ(Run({"-o", "json", "channels", "update", "ch-ops", "--name", "ops-2"}), kExitOk)
      << err();
  sent = fake_.Last<v1::UpdateChannelRequest>();
  EXPECT_THAT(sent->update_mask().paths(), ElementsAre("name"));
  EXPECT_TRUE(sent->channel().config().empty());
  v1::Channel printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.name(), "ops-2");

  // A new secret typed on update is sent, and not printed back.
  const std::string new_url = "https://hooks.slack.com/services/T1/B1/NEWSECRET77";
  ASSERT_EQ(Run({"channels", "update", "ch-ops", "--config", "webhook_url=" + new_url}), kExitOk)
      << err();
  EXPECT_EQ(fake_.FindChannel("ch-ops")->config().at("webhook_url"), new_url);
  EXPECT_THAT(out() + err(), Not(HasSubstr("NEWSECRET")));
}

TEST_F(CliTest, ChannelsUpdateTypeStartsFromEmptyConfig) {
  fake_.AddChannel(Ops());
  TempFile file("hook.yaml", "url: https://example.com/hook\n");
  ASSERT_EQ(Run({"channels", "update", "ch-ops", "--type", "webhook", "--config-file",
                 file.path()}),
            kExitOk)
      << err();
  std::optional<v1::UpdateChannelRequest> sent = fake_.Last<v1::UpdateChannelRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_THAT(sent->update_mask().paths(), ElementsAre("type", "config"));
  EXPECT_THAT(sent->channel().config(),
              UnorderedElementsAre(Pair("url", "https://example.com/hook")));
}

TEST_F(CliTest, ChannelsUpdateRejectsBadInput) {
  fake_.AddChannel(Ops());
  EXPECT_EQ(Run({"channels", "update", "ch-ops"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("nothing to update"));
  EXPECT_EQ(Run({"channels", "update", "ch-ops", "--name", ""}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--name: must not be empty"));
  EXPECT_EQ(Run({"channels", "update", "ch-ops", "--config", "nokey"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--config: expected KEY=VALUE"));
  EXPECT_THAT(err(), Not(HasSubstr("nokey")));
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(Run({"channels", "update", "ch-ops", "--remove-config", "colour"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--remove-config: channel 'ch-ops' has no config key 'colour'"));
  EXPECT_EQ(Run({"channels", "update", "ch-nope", "--config", "channel=#x"}), kExitNotFound);
  EXPECT_THAT(err(), HasSubstr("NOT_FOUND"));
}

TEST_F(CliTest, ChannelsDeleteContinuesPastNotFound) {
  fake_.AddChannel(Ops());
  fake_.AddChannel(Pager());
  EXPECT_EQ(Run({"channels", "delete", "ch-ops", "ch-nope", "ch-pager"}), kExitNotFound);
  EXPECT_EQ(out(), "deleted ch-ops\ndeleted ch-pager\n");
  EXPECT_EQ(err(), "error: NOT_FOUND: channel 'ch-nope' not found\n");
  EXPECT_FALSE(fake_.FindChannel("ch-ops").has_value());
  EXPECT_FALSE(fake_.FindChannel("ch-pager").has_value());

  fake_.AddChannel(Ops());
  ASSERT_EQ(Run({"-o", "json", "channels", "rm", "ch-ops"}), kExitOk) << err();
  google::protobuf::Struct printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.fields().at("deleted").list_value().values(0).string_value(), "ch-ops");
}

TEST_F(CliTest, ChannelsDeleteStopsOnOtherFailures) {
  fake_.AddChannel(Ops());
  fake_.FailWith(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                              "channel 'ch-ops' is used by monitors"));
  EXPECT_EQ(Run({"channels", "rm", "ch-ops", "ch-pager"}), kExitError);
  EXPECT_EQ(err(), "error: FAILED_PRECONDITION: channel 'ch-ops' is used by monitors\n");
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(CliTest, ChannelsTestReportsTheOutcome) {
  fake_.AddChannel(Ops());
  ASSERT_EQ(Run({"channels", "test", "ch-ops"}), kExitOk) << err();
  EXPECT_EQ(out(), "delivered: channel ch-ops sent a test message\n");

  v1::TestChannelResponse failed;
  failed.set_error("HTTP 404 from hooks.slack.com");
  fake_.SetTestChannelResult(failed);
  EXPECT_EQ(Run({"channels", "test", "ch-ops"}), kExitError);
  EXPECT_EQ(out(), "");
  EXPECT_THAT(err(), HasSubstr("test message not delivered: HTTP 404 from hooks.slack.com"));

  EXPECT_EQ(Run({"-o", "json", "channels", "test", "ch-ops"}), kExitError);
  v1::TestChannelResponse printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_FALSE(printed.delivered());
  EXPECT_EQ(printed.error(), "HTTP 404 from hooks.slack.com");

  EXPECT_EQ(Run({"channels", "test", "ch-nope"}), kExitNotFound);
  EXPECT_THAT(err(), HasSubstr("NOT_FOUND"));
}

TEST_F(CliTest, ChannelsHelp) {
  ASSERT_EQ(Run({"channels", "--help"}), kExitOk);
  for (const char* sub : {"list", "get", "create", "update", "delete", "test"}) {
    EXPECT_THAT(out(), HasSubstr(sub));
  }
  ASSERT_EQ(Run({"channels", "create", "--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("--config-file"));
  EXPECT_THAT(out(), HasSubstr("routing_key"));
  EXPECT_EQ(Run({"channels"}), kExitUsage);
  EXPECT_EQ(Run({"channels", "frob"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("unknown command 'frob'"));
}

}  // namespace
}  // namespace uptime::cli
