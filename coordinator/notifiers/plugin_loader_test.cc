// Loading C-ABI plugins built by CMake (example_plugin.c, testdata/).
#include "coordinator/notifiers/plugin_loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace uptime::notifiers {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using test::At;
using test::ParseJson;
using test::Str;
using uptime::testing::TempDir;

namespace fs = std::filesystem;

const std::string kGoodDir = UPTIME_NOTIFIER_PLUGIN_DIR;
const std::string kBadDir = UPTIME_BAD_PLUGIN_DIR;

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return absl::StrSplit(ss.str(), '\n', absl::SkipEmpty());
}

TEST(PluginLoaderTest, LoadsTheExamplePluginAndSendsThroughIt) {
  NotifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
  auto results = LoadNotifierPlugins(kGoodDir, &registry);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 1u);
  ASSERT_TRUE((*results)[0].name.ok()) << (*results)[0].name.status();
  EXPECT_EQ(*(*results)[0].name, "jsonl_file");
  EXPECT_THAT(registry.names(), Contains("jsonl_file"));

  auto dir = TempDir::Create("plugin-out-");
  ASSERT_TRUE(dir.ok()) << dir.status();
  const std::string out = dir->path() + "/alerts.jsonl";
  SimulatedClock clock(test::SampleTime() + absl::Seconds(1));
  NotifierDeps deps;
  deps.clock = &clock;
  auto notifier = registry.Create("jsonl_file", {{"path", out}}, deps);
  ASSERT_TRUE(notifier.ok()) << notifier.status();
  ASSERT_TRUE((*notifier)->Send(test::SampleDownAlert()).ok());
  ASSERT_TRUE((*notifier)->Send(test::SampleRecoveredAlert()).ok());

  const std::vector<std::string> lines = ReadLines(out);
  ASSERT_EQ(lines.size(), 2u);
  const auto first = ParseJson(lines[0]);
  EXPECT_EQ(At(first, "version").number_value(), 1);
  EXPECT_EQ(Str(first, "kind"), "down");
  EXPECT_EQ(Str(first, "sent_at"), "2023-11-14T22:13:21Z");
  EXPECT_EQ(Str(first, "dedup_key"), "inc-42");
  EXPECT_EQ(Str(At(first, "monitor"), "name"), "api-prod");
  EXPECT_EQ(Str(ParseJson(lines[1]), "kind"), "recovered");
  EXPECT_EQ(Str(ParseJson(lines[1]), "state"), "UP");
}

TEST(PluginLoaderTest, ValidationAndSecretsGoThroughTheAbi) {
  NotifierRegistry registry;
  ASSERT_TRUE(LoadNotifierPlugin(kGoodDir + "/jsonl_file.so", &registry).ok());
  const NotifierFactory* factory = registry.Find("jsonl_file");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(factory->SecretKeys(), std::vector<std::string>{"token"});
  const absl::Status missing = registry.Validate("jsonl_file", {});
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.message(), "config.path: required");
  EXPECT_EQ(registry.Validate("jsonl_file", {{"path", "relative.jsonl"}}).message(),
            "config.path: must be an absolute path");
  EXPECT_THAT(std::string(registry.Validate("jsonl_file", {{"path", "/x"}, {"colour", "red"}})
                              .message()),
              HasSubstr("config.colour: unknown key"));
  const NotifierConfig redacted =
      RedactConfig(*factory, {{"path", "/tmp/x"}, {"token", "tok-0123456789-ABCD"}});
  EXPECT_EQ(redacted.at("token"), "****ABCD");
  EXPECT_EQ(redacted.at("path"), "/tmp/x");
}

TEST(PluginLoaderTest, ResultCodesMapToRetryableAndPermanent) {
  NotifierRegistry registry;
  ASSERT_TRUE(LoadNotifierPlugin(kGoodDir + "/jsonl_file.so", &registry).ok());
  auto retry = registry.Create("jsonl_file", {{"path", "/tmp/never"}, {"simulate", "retry"}}, {});
  ASSERT_TRUE(retry.ok()) << retry.status();
  const absl::Status r = (*retry)->Send(test::SampleDownAlert());
  EXPECT_TRUE(IsRetryable(r)) << r;
  EXPECT_EQ(RetryAfter(r), absl::Milliseconds(1500));
  EXPECT_EQ(r.message(), "plugin jsonl_file: simulated temporary failure");

  auto permanent =
      registry.Create("jsonl_file", {{"path", "/tmp/never"}, {"simulate", "permanent"}}, {});
  ASSERT_TRUE(permanent.ok());
  EXPECT_EQ((*permanent)->Send(test::SampleDownAlert()).code(),
            absl::StatusCode::kFailedPrecondition);

  auto missing_dir = registry.Create("jsonl_file", {{"path", "/nonexistent/dir/x.jsonl"}}, {});
  ASSERT_TRUE(missing_dir.ok());
  const absl::Status m = (*missing_dir)->Send(test::SampleDownAlert());
  EXPECT_EQ(m.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(m.message(), HasSubstr("cannot open the file"));
}

TEST(PluginLoaderTest, BadPluginsAreReportedAndSkipped) {
  auto dir = TempDir::Create("plugins-");
  ASSERT_TRUE(dir.ok()) << dir.status();
  for (const char* name : {"bad_plugin_1.so", "bad_plugin_2.so", "bad_plugin_3.so"}) {
    fs::copy_file(kBadDir + "/" + name, dir->path() + "/" + name);
  }
  fs::copy_file(kGoodDir + "/jsonl_file.so", dir->path() + "/jsonl_file.so");
  std::ofstream(dir->path() + "/garbage.so") << "not an ELF file";
  std::ofstream(dir->path() + "/README.txt") << "ignored: not *.so";

  NotifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinNotifiers(&registry).ok());
  auto results = LoadNotifierPlugins(dir->path(), &registry);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 5u);  // sorted by path
  const auto& r = *results;
  EXPECT_EQ(r[0].name.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r[0].name.status().message()),
              HasSubstr("ABI version 99, but this coordinator supports version 1"));
  EXPECT_THAT(std::string(r[0].name.status().message()), HasSubstr("bad_plugin_1.so"));
  EXPECT_THAT(std::string(r[1].name.status().message()),
              HasSubstr("does not export uptime_notifier_plugin_v1()"));
  EXPECT_EQ(r[2].name.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r[2].name.status().message()),
              HasSubstr("notifier type \"slack\" is already registered"));
  EXPECT_THAT(std::string(r[3].name.status().message()), HasSubstr("garbage.so: cannot load"));
  ASSERT_TRUE(r[4].name.ok()) << r[4].name.status();
  EXPECT_EQ(*r[4].name, "jsonl_file");
  EXPECT_EQ(registry.names(),
            (std::vector<std::string>{"email", "jsonl_file", "pagerduty", "slack", "webhook"}));
}

TEST(PluginLoaderTest, DuplicateAndMissingDirectories) {
  NotifierRegistry registry;
  ASSERT_TRUE(LoadNotifierPlugin(kGoodDir + "/jsonl_file.so", &registry).ok());
  const auto again = LoadNotifierPlugin(kGoodDir + "/jsonl_file.so", &registry);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  // The first registration keeps working after the duplicate was refused.
  auto dir = TempDir::Create("plugin-out-");
  ASSERT_TRUE(dir.ok());
  auto n = registry.Create("jsonl_file", {{"path", dir->path() + "/a.jsonl"}}, {});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_TRUE((*n)->Send(test::SampleDownAlert()).ok());

  EXPECT_EQ(LoadNotifierPlugins("/nonexistent/plugins", &registry).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace uptime::notifiers
