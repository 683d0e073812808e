// End to end: the uptimectl binary against a real coordinator process. Its
// exit codes are a contract for scripts (cli/cli.h), so each one is checked
// against what the real server answers, not only against the fake of
// cli_test.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/process.h"

namespace uptime::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct CtlResult {
  int code = -1;
  std::string output;  // stdout and stderr
};

class UptimectlTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.StartCoordinator().ok()); }

  // Runs uptimectl with `args` after --addr (the coordinator unless given)
  // and --timeout.
  CtlResult Ctl(const std::vector<std::string>& args, std::string addr = "",
                const std::string& timeout = "5s") {
    if (addr.empty()) addr = cluster_.address();
    std::vector<std::string> full = {"--addr", addr, "--timeout", timeout};
    full.insert(full.end(), args.begin(), args.end());
    return CtlWithEnv(full, {});
  }

  // Runs uptimectl with exactly `args` and `env` added to the environment
  // (contexts supply the address themselves).
  CtlResult CtlWithEnv(const std::vector<std::string>& args,
                       const std::vector<std::pair<std::string, std::string>>& env) {
    ProcessOptions options;
    options.binary = BinaryPath("uptimectl");
    options.args = args;
    options.extra_env = env;
    CtlResult result;
    auto process = Process::Start(options);
    if (!process.ok()) {
      result.output = process.status().ToString();
      return result;
    }
    absl::StatusOr<int> code = (*process)->Wait(absl::Seconds(30));
    result.code = code.ok() ? *code : -1;
    result.output = (*process)->ReadLog();
    return result;
  }

  ClusterFixture cluster_;
};

TEST_F(UptimectlTest, ExitCodesFromARealCoordinator) {
  CtlResult r = Ctl({"--token", kReadToken, "cluster"});
  EXPECT_EQ(r.code, 0) << r.output;

  // 1: the coordinator refused the request.
  r = Ctl({"--token", kAdminToken, "monitors", "add", "bad", "--url", "ftp://example.com/"});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("INVALID_ARGUMENT"));

  // 2: found before any RPC.
  r = Ctl({"--token", kAdminToken, "monitors", "add", "nothing-to-check"});
  EXPECT_EQ(r.code, 2) << r.output;

  // 3: not found; `rm` of one missing name among others too.
  r = Ctl({"--token", kReadToken, "monitors", "get", "mon-00000000000000ff"});
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("NOT_FOUND"));
  r = Ctl({"--token", kAdminToken, "monitors", "rm", "mon-00000000000000fe"});
  EXPECT_EQ(r.code, 3) << r.output;

  // 4: no or unknown token, or a role too low for a write.
  r = Ctl({"cluster"});
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("UNAUTHENTICATED"));
  r = Ctl({"--token", "not-a-token", "monitors", "list"});
  EXPECT_EQ(r.code, 4) << r.output;
  r = Ctl({"--token", kReadToken, "monitors", "rm", "mon-00000000000000ff"});
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("PERMISSION_DENIED"));

  // 5: the coordinator hangs (DEADLINE_EXCEEDED), or nobody answers at the
  // address (UNAVAILABLE).
  const std::string addr = cluster_.address();
  ASSERT_TRUE(cluster_.coordinator()->Signal(SIGSTOP).ok());
  r = Ctl({"--token", kReadToken, "cluster"}, addr, "1s");
  EXPECT_EQ(r.code, 5) << r.output;
  EXPECT_THAT(r.output, HasSubstr("DEADLINE_EXCEEDED"));
  ASSERT_TRUE(cluster_.coordinator()->Signal(SIGCONT).ok());
  ASSERT_TRUE(cluster_.coordinator()->Kill().ok());
  r = Ctl({"--token", kReadToken, "cluster"}, addr);
  EXPECT_EQ(r.code, 5) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot reach coordinator at " + addr));
}

// Contexts: after set-context and use-context, commands reach the real
// coordinator with neither --addr nor --token on the line; flags still win.
TEST_F(UptimectlTest, ContextsReplaceConnectionFlags) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    absl::StrCat("uptimectl-contexts-", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string token_file = (dir / "read.token").string();
  std::ofstream(token_file) << kReadToken << "\n";
  // The UPTIME_* variables are cleared: a context must not lose to them here.
  const std::vector<std::pair<std::string, std::string>> env = {
      {"UPTIMECTL_CONFIG", (dir / "config.yaml").string()},
      {"UPTIME_ADDR", ""},
      {"UPTIME_TOKEN", ""},
      {"UPTIME_TOKEN_FILE", ""},
      {"UPTIME_CONTEXT", ""}};

  CtlResult r = CtlWithEnv({"config", "set-context", "e2e", "--addr", cluster_.address(), "--token-file",
                  token_file, "--timeout", "5s"},
                 env);
  ASSERT_EQ(r.code, 0) << r.output;
  r = CtlWithEnv({"config", "use-context", "e2e"}, env);
  ASSERT_EQ(r.code, 0) << r.output;
  r = CtlWithEnv({"cluster"}, env);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Leader:"));
  r = CtlWithEnv({"config", "view"}, env);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr(kReadToken)));

  // The context's read token cannot delete; a token flag overrides it.
  r = CtlWithEnv({"monitors", "rm", "mon-00000000000000ff"}, env);
  EXPECT_EQ(r.code, 4) << r.output;
  r = CtlWithEnv({"--token", kAdminToken, "monitors", "rm", "mon-00000000000000ff"}, env);
  EXPECT_EQ(r.code, 3) << r.output;
  // A context pointing nowhere, chosen by flag.
  r = CtlWithEnv({"config", "set-context", "dead", "--addr", "127.0.0.1:1"}, env);
  ASSERT_EQ(r.code, 0) << r.output;
  r = CtlWithEnv({"--context", "dead", "--timeout", "2s", "cluster"}, env);
  EXPECT_EQ(r.code, 5) << r.output;
  std::filesystem::remove_all(dir);
}

// watch: a monitor paused while watching shows up as a state change, and
// SIGINT ends the watch with exit code 0.
TEST_F(UptimectlTest, WatchShowsAPauseLiveAndStopsOnSigint) {
  absl::StatusOr<v1::Monitor> monitor =
      cluster_.CreateMonitor(HttpMonitor("watched", "http://127.0.0.1:9/"));
  ASSERT_TRUE(monitor.ok()) << monitor.status();

  ProcessOptions options;
  options.binary = BinaryPath("uptimectl");
  options.args = {"--addr", cluster_.address(), "--token", kReadToken, "watch"};
  auto watch = Process::Start(options);
  ASSERT_TRUE(watch.ok()) << watch.status();
  // The header is printed once the stream is in place.
  ASSERT_EVENTUALLY(absl::StrContains((*watch)->ReadLog(), "TIME (UTC)"), absl::Seconds(20));

  CtlResult r = Ctl({"--token", kAdminToken, "monitors", "pause", monitor->id()});
  ASSERT_EQ(r.code, 0) << r.output;
  ASSERT_EVENTUALLY(absl::StrContains((*watch)->ReadLog(), "-> PAUSED"), absl::Seconds(20));
  EXPECT_THAT((*watch)->ReadLog(), HasSubstr("watched"));

  // A coordinator restart breaks the stream: the watch says so, reconnects
  // with backoff and goes on showing changes.
  ASSERT_TRUE(cluster_.RestartCoordinator().ok());
  ASSERT_EVENTUALLY(absl::StrContains((*watch)->ReadLog(), "watch: reconnected"),
                    absl::Seconds(40));
  EXPECT_THAT((*watch)->ReadLog(), HasSubstr("watch: the stream broke"));
  absl::StatusOr<v1::Monitor> second =
      cluster_.CreateMonitor(HttpMonitor("watched-again", "http://127.0.0.1:9/"));
  ASSERT_TRUE(second.ok()) << second.status();
  r = Ctl({"--token", kAdminToken, "monitors", "pause", second->id()});
  ASSERT_EQ(r.code, 0) << r.output;
  ASSERT_EVENTUALLY(absl::StrContains((*watch)->ReadLog(), "watched-again"), absl::Seconds(20));

  ASSERT_TRUE((*watch)->Signal(SIGINT).ok());
  absl::StatusOr<int> code = (*watch)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*watch)->ReadLog();
}

}  // namespace
}  // namespace uptime::testing
