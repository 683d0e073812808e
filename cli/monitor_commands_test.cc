// `uptimectl monitors ...` against a fake coordinator: the requests built from
// flags, the output formats, and exit codes.
#include <string>

#include "absl/strings/str_split.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace uptime::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

v1::Monitor HttpMonitor(const std::string& id, const std::string& name) {
  v1::Monitor m;
  m.set_id(id);
  m.set_name(name);
  m.mutable_http()->set_url("https://" + name + ".example.com/health");
  m.mutable_interval()->set_seconds(30);
  (*m.mutable_labels())["env"] = "prod";
  return m;
}

TEST_F(CliTest, AddHttpBuildsRequestFromFlags) {
  ASSERT_EQ(Run({"monitors", "add", "api", "--url", "https://api.example.com/health",
                 "--method", "POST", "--header", "X-Probe: uptime", "--header",
                 "Accept:application/json", "--body", "{}", "--expect-status", "200-299",
                 "--expect-status", "301,4xx", "--keyword", "ok", "--keyword-absent", "error",
                 "--no-follow-redirects", "--insecure", "--interval", "30s", "--timeout",
                 "500ms", "--failure-threshold", "3", "--recovery-threshold", "2", "--label",
                 "env=prod", "--label", "team=web,tier=1", "--locations", "region=eu",
                 "--location-count", "2", "--quorum", "2", "--channel", "slack-ops",
                 "--channel", "pager"}),
            kExitOk)
      << err();
  std::optional<v1::Monitor> sent = fake_.CreatedMonitor();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->name(), "api");
  ASSERT_TRUE(sent->has_http());
  const v1::HttpSpec& http = sent->http();
  EXPECT_EQ(http.url(), "https://api.example.com/health");
  EXPECT_EQ(http.method(), "POST");
  ASSERT_EQ(http.headers_size(), 2);
  EXPECT_EQ(http.headers(0).name(), "X-Probe");
  EXPECT_EQ(http.headers(0).value(), "uptime");
  EXPECT_EQ(http.headers(1).name(), "Accept");
  EXPECT_EQ(http.headers(1).value(), "application/json");
  EXPECT_EQ(http.body(), "{}");
  ASSERT_EQ(http.accepted_statuses_size(), 3);
  EXPECT_EQ(http.accepted_statuses(0).min(), 200);
  EXPECT_EQ(http.accepted_statuses(0).max(), 299);
  EXPECT_EQ(http.accepted_statuses(1).min(), 301);
  EXPECT_EQ(http.accepted_statuses(1).max(), 301);
  EXPECT_EQ(http.accepted_statuses(2).min(), 400);
  EXPECT_EQ(http.accepted_statuses(2).max(), 499);
  EXPECT_EQ(http.keyword(), "ok");
  EXPECT_EQ(http.keyword_absent(), "error");
  ASSERT_TRUE(http.has_follow_redirects());
  EXPECT_FALSE(http.follow_redirects());
  EXPECT_TRUE(http.insecure_skip_tls_verify());
  EXPECT_EQ(sent->interval().seconds(), 30);
  EXPECT_EQ(sent->timeout().seconds(), 0);
  EXPECT_EQ(sent->timeout().nanos(), 500'000'000);
  EXPECT_EQ(sent->failure_threshold(), 3);
  EXPECT_EQ(sent->recovery_threshold(), 2);
  EXPECT_EQ(sent->labels().at("env"), "prod");
  EXPECT_EQ(sent->labels().at("team"), "web");
  EXPECT_EQ(sent->labels().at("tier"), "1");
  EXPECT_EQ(sent->locations().selector(), "region=eu");
  EXPECT_EQ(sent->locations().count(), 2);
  EXPECT_EQ(sent->locations().quorum(), 2);
  EXPECT_THAT(sent->channel_ids(), ::testing::ElementsAre("slack-ops", "pager"));
}

TEST_F(CliTest, AddLeavesUnsetFieldsToServerDefaults) {
  ASSERT_EQ(Run({"monitors", "add", "api", "--url", "http://a/"}), kExitOk) << err();
  std::optional<v1::Monitor> sent = fake_.CreatedMonitor();
  ASSERT_TRUE(sent.has_value());
  EXPECT_FALSE(sent->http().has_follow_redirects());
  EXPECT_FALSE(sent->has_interval());
  EXPECT_FALSE(sent->has_locations());
  EXPECT_EQ(sent->http().method(), "");
}

TEST_F(CliTest, AddTcpSplitsHostAndPort) {
  ASSERT_EQ(Run({"monitors", "add", "db", "--tcp", "db.internal:5432"}), kExitOk) << err();
  std::optional<v1::Monitor> sent = fake_.CreatedMonitor();
  ASSERT_TRUE(sent.has_value() && sent->has_tcp());
  EXPECT_EQ(sent->tcp().host(), "db.internal");
  EXPECT_EQ(sent->tcp().port(), 5432);
}

TEST_F(CliTest, AddDnsWithRecordTypeAndExpectedAnswer) {
  ASSERT_EQ(Run({"monitors", "add", "dns", "--dns", "example.com", "--record-type", "aaaa",
                 "--expect", "2001:db8::1"}),
            kExitOk)
      << err();
  std::optional<v1::Monitor> sent = fake_.CreatedMonitor();
  ASSERT_TRUE(sent.has_value() && sent->has_dns());
  EXPECT_EQ(sent->dns().name(), "example.com");
  EXPECT_EQ(sent->dns().record_type(), v1::DNS_RECORD_TYPE_AAAA);
  EXPECT_EQ(sent->dns().expected_answer(), "2001:db8::1");
}

TEST_F(CliTest, AddGrpcWithServiceAndTls) {
  ASSERT_EQ(Run({"monitors", "add", "rpc", "--grpc", "api:443", "--grpc-service", "pkg.Api",
                 "--grpc-tls"}),
            kExitOk)
      << err();
  std::optional<v1::Monitor> sent = fake_.CreatedMonitor();
  ASSERT_TRUE(sent.has_value() && sent->has_grpc());
  EXPECT_EQ(sent->grpc().target(), "api:443");
  EXPECT_EQ(sent->grpc().service(), "pkg.Api");
  EXPECT_TRUE(sent->grpc().tls());
}

TEST_F(CliTest, AddPrintsCreatedMonitorWithIdFirst) {
  ASSERT_EQ(Run({"monitors", "add", "api", "--url", "https://a.example/", "--interval", "1m",
                 "--label", "env=prod"}),
            kExitOk);
  const std::vector<std::string> lines = absl::StrSplit(out(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << out();
  EXPECT_THAT(lines[0], StartsWith("ID     NAME  TYPE  TARGET              INTERVAL  LABELS"));
  EXPECT_EQ(lines[1], "mon-1  api   http  https://a.example/  1m        env=prod  no");
}

TEST_F(CliTest, AddWithoutCheckTypeIsUsageErrorBeforeAnyCall) {
  EXPECT_EQ(Run({"monitors", "add", "api", "--interval", "30s"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--url"));
  EXPECT_THAT(err(), StartsWith("error: a check type is required"));
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CliTest, AddWithTwoCheckTypesNamesBoth) {
  EXPECT_EQ(Run({"monitors", "add", "api", "--url", "http://a/", "--dns", "a"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--url and --dns cannot be combined"));
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CliTest, AddFlagOfAnotherCheckTypeNamesTheFlag) {
  EXPECT_EQ(Run({"monitors", "add", "db", "--tcp", "db:5432", "--method", "POST"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--method applies only to --url checks"));
  EXPECT_EQ(Run({"monitors", "add", "db", "--url", "http://a/", "--record-type", "MX"}),
            kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--record-type applies only to --dns"));
}

TEST_F(CliTest, AddUnparsableValuesNameTheFlag) {
  EXPECT_EQ(Run({"monitors", "add", "a", "--url", "http://a/", "--interval", "often"}),
            kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--interval: expected a duration"));
  EXPECT_EQ(Run({"monitors", "add", "a", "--url", "http://a/", "--header", "no-colon"}),
            kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--header"));
  EXPECT_EQ(Run({"monitors", "add", "a", "--url", "http://a/", "--expect-status", "ok"}),
            kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--expect-status"));
  EXPECT_EQ(Run({"monitors", "add", "a", "--tcp", "no-port"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--tcp"));
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CliTest, ServerRejectionIsRpcFailureWithCode) {
  fake_.FailWith(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "monitor.interval: must be between 1s and 24h"));
  EXPECT_EQ(Run({"monitors", "add", "a", "--url", "http://a/", "--interval", "48h"}),
            kExitError);
  EXPECT_EQ(err(), "error: INVALID_ARGUMENT: monitor.interval: must be between 1s and 24h\n");
  EXPECT_THAT(out(), IsEmpty());
}

TEST_F(CliTest, ListShowsOnePageAndHowToGetMore) {
  for (const char* id : {"m1", "m2", "m3"}) fake_.AddMonitor(HttpMonitor(id, id));
  ASSERT_EQ(Run({"monitors", "list", "--selector", "env=prod"}), kExitOk) << err();
  EXPECT_EQ(fake_.LastListMonitors()->label_selector(), "env=prod");
  EXPECT_THAT(out(), HasSubstr("m1"));
  EXPECT_THAT(out(), HasSubstr("m2"));
  EXPECT_THAT(out(), Not(HasSubstr("m3")));
  EXPECT_THAT(err(), HasSubstr("--page-token m2"));
}

TEST_F(CliTest, ListAllFollowsPageTokens) {
  for (const char* id : {"m1", "m2", "m3", "m4", "m5"}) fake_.AddMonitor(HttpMonitor(id, id));
  ASSERT_EQ(Run({"monitors", "list", "--all"}), kExitOk) << err();
  for (const char* id : {"m1", "m2", "m3", "m4", "m5"}) EXPECT_THAT(out(), HasSubstr(id));
  EXPECT_EQ(fake_.calls(), 3);
  EXPECT_THAT(err(), IsEmpty());
}

TEST_F(CliTest, ListJsonIsTheListResponseMessage) {
  for (const char* id : {"m1", "m2", "m3"}) fake_.AddMonitor(HttpMonitor(id, id));
  ASSERT_EQ(Run({"-o", "json", "monitors", "list", "--all"}), kExitOk) << err();
  v1::ListMonitorsResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &parsed).ok()) << out();
  ASSERT_EQ(parsed.monitors_size(), 3);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed.monitors(0),
                                                                 HttpMonitor("m1", "m1")));
  EXPECT_THAT(out(), StartsWith("{\n"));
}

TEST_F(CliTest, GetYamlHasTheMessageFieldsInOrder) {
  fake_.AddMonitor(HttpMonitor("m1", "api"));
  // The global flag after the command name works too (CLI11 fallthrough).
  ASSERT_EQ(Run({"monitors", "get", "m1", "--output", "yaml"}), kExitOk) << err();
  const YAML::Node doc = YAML::Load(out());
  EXPECT_EQ(doc.begin()->first.as<std::string>(), "id");
  EXPECT_EQ(doc["id"].as<std::string>(), "m1");
  EXPECT_EQ(doc["name"].as<std::string>(), "api");
  EXPECT_EQ(doc["http"]["url"].as<std::string>(), "https://api.example.com/health");
  EXPECT_EQ(doc["interval"].as<std::string>(), "30s");
  EXPECT_EQ(doc["labels"]["env"].as<std::string>(), "prod");
}

TEST_F(CliTest, GetUnknownIdIsNotFound) {
  EXPECT_EQ(Run({"monitors", "get", "nope"}), kExitNotFound);
  EXPECT_EQ(err(), "error: NOT_FOUND: monitor 'nope' not found\n");
}

TEST_F(CliTest, RmDeletesEveryIdAndReportsTheMissingOne) {
  fake_.AddMonitor(HttpMonitor("m1", "a"));
  fake_.AddMonitor(HttpMonitor("m2", "b"));
  EXPECT_EQ(Run({"monitors", "rm", "m1", "missing", "m2"}), kExitNotFound);
  EXPECT_EQ(out(), "deleted m1\ndeleted m2\n");
  EXPECT_EQ(err(), "error: NOT_FOUND: monitor 'missing' not found\n");
  EXPECT_FALSE(fake_.HasMonitor("m1"));
  EXPECT_FALSE(fake_.HasMonitor("m2"));
}

TEST_F(CliTest, RmStopsAtAFailureOtherThanNotFound) {
  fake_.AddMonitor(HttpMonitor("m1", "a"));
  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs admin"));
  EXPECT_EQ(Run({"monitors", "rm", "m1", "m2"}), kExitDenied);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_EQ(err(), "error: PERMISSION_DENIED: needs admin\n");
}

TEST_F(CliTest, PauseAndResumePrintTheMonitor) {
  fake_.AddMonitor(HttpMonitor("m1", "api"));
  ASSERT_EQ(Run({"monitors", "pause", "m1"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("yes\n"));
  ASSERT_EQ(Run({"-o", "json", "monitors", "resume", "m1"}), kExitOk) << err();
  v1::Monitor parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &parsed).ok());
  EXPECT_FALSE(parsed.paused());
}

}  // namespace
}  // namespace uptime::cli
