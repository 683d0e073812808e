// apply, diff, validate and export against the fake coordinator; the full
// round trips against a real coordinator are in tests/e2e/apply_test.cc.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "cli/testing/cli_test_fixture.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

constexpr char kChannel[] = R"(apiVersion: uptime.dev/v1
kind: Channel
metadata: {name: oncall}
spec:
  type: slack
  config: {webhook_url: "${CLI_TEST_HOOK}"}
)";

constexpr char kMonitor[] = R"(apiVersion: uptime.dev/v1
kind: Monitor
metadata: {name: api, labels: {team: core}}
spec:
  http: {url: "https://api.example.com/health"}
  interval: 30s
  channels: [oncall]
)";

class ManifestCommandsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    setenv("CLI_TEST_HOOK", "https://hooks.slack.com/services/T0/B0/cli-secret", 1);
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("manifest_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    unsetenv("CLI_TEST_HOOK");
    CliTest::TearDown();
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ManifestCommandsTest, ValidateIsOfflineAndReportsFileLineColumn) {
  Write("channel.yaml", kChannel);
  Write("sub/monitor.yml", kMonitor);
  // No coordinator at this address: validate must not need one.
  EXPECT_EQ(RunAt("127.0.0.1:1", {"validate", "-f", dir_.string()}), 0) << err();
  EXPECT_EQ(out(), "valid: 1 Channel, 1 Monitor\n");

  const std::string bad = Write("bad.yaml", R"(apiVersion: uptime.dev/v1
kind: Monitor
metadata: {name: broken}
spec:
  http: {url: "https://x.example.com"}
  intervall: 30s
)");
  EXPECT_EQ(RunAt("127.0.0.1:1", {"validate", "-f", dir_.string()}), 2);
  EXPECT_TRUE(absl::StrContains(
      err(), bad + ":6:3: spec.intervall: unknown field 'intervall'; did you mean 'interval'?"))
      << err();
}

TEST_F(ManifestCommandsTest, ApplyCreatesThenDiffIsCleanAndExportRoundTrips) {
  Write("all.yaml", std::string(kChannel) + "---\n" + kMonitor);
  ASSERT_EQ(Run({"diff", "-f", dir_.string()}), 1) << err();
  EXPECT_EQ(out(),
            "+ create Channel/oncall\n+ create Monitor/api\n"
            "Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged.\n");
  ASSERT_EQ(Run({"apply", "--dry-run", "-f", dir_.string()}), 0) << err();
  EXPECT_FALSE(fake_.CreatedMonitor().has_value());

  ASSERT_EQ(Run({"apply", "-f", dir_.string()}), 0) << err();
  EXPECT_EQ(out(),
            "created Channel/oncall\ncreated Monitor/api\n"
            "2 created, 0 updated, 0 deleted, 0 unchanged\n");
  std::optional<v1::Monitor> created = fake_.CreatedMonitor();
  ASSERT_TRUE(created.has_value());
  ASSERT_EQ(created->channel_ids_size(), 1);
  std::optional<v1::Channel> channel = fake_.FindChannel(created->channel_ids(0));
  ASSERT_TRUE(channel.has_value());
  EXPECT_EQ(channel->config().at("webhook_url"),
            "https://hooks.slack.com/services/T0/B0/cli-secret");
  EXPECT_EQ(created->labels().at("uptime.dev/managed-by"), "uptimectl");

  EXPECT_EQ(Run({"diff", "-f", dir_.string()}), 0) << out() << err();
  EXPECT_EQ(out(), "Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged.\n");

  ASSERT_EQ(Run({"export"}), 0) << err();
  EXPECT_TRUE(absl::StrContains(out(), "webhook_url: ${ONCALL_WEBHOOK_URL}")) << out();
  EXPECT_TRUE(absl::StrContains(out(), "channels:\n    - oncall")) << out();
  EXPECT_TRUE(absl::StrContains(err(), "ONCALL_WEBHOOK_URL (Channel/oncall config.webhook_url)"));
  const std::string exported = out();
  std::filesystem::remove(dir_ / "all.yaml");
  Write("exported.yaml", exported);
  setenv("ONCALL_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/cli-secret", 1);
  EXPECT_EQ(Run({"diff", "-f", dir_.string()}), 0) << out() << err();
  unsetenv("ONCALL_WEBHOOK_URL");

  ASSERT_EQ(Run({"export", "Monitor", "-l", "team=core"}), 0) << err();
  EXPECT_TRUE(absl::StrContains(out(), "kind: Monitor"));
  EXPECT_FALSE(absl::StrContains(out(), "kind: Channel"));
  EXPECT_EQ(Run({"export", "Widget"}), 2);
}

TEST_F(ManifestCommandsTest, AnErrorInAnyFileChangesNothing) {
  Write("a.yaml", kChannel);
  Write("b.yaml", kMonitor);
  Write("c.yaml", R"(apiVersion: uptime.dev/v1
kind: StatusPage
metadata: {name: public}
spec:
  title: Status
  groups: [{name: API, monitors: [api, ghost]}]
)");
  EXPECT_EQ(Run({"apply", "-f", dir_.string()}), 2);
  EXPECT_TRUE(absl::StrContains(err(),
                                "c.yaml:6:40: spec.groups[0].monitors[1]: Monitor 'ghost' is "
                                "not defined in the files nor on the server"))
      << err();
  EXPECT_TRUE(absl::StrContains(err(), "nothing was changed"));
  EXPECT_FALSE(fake_.CreatedMonitor().has_value());

  unsetenv("CLI_TEST_HOOK");
  std::filesystem::remove(dir_ / "c.yaml");
  EXPECT_EQ(Run({"apply", "-f", dir_.string()}), 2);
  EXPECT_TRUE(absl::StrContains(err(),
                                "a.yaml:6:26: spec.config.webhook_url: environment variable "
                                "CLI_TEST_HOOK is not set"))
      << err();
  EXPECT_FALSE(fake_.CreatedMonitor().has_value());
}

}  // namespace
}  // namespace uptime::cli
