// Shared fixture of uptimectl's command tests: a FakeCoordinator, and RunCli
// pointed at it with captured output and a pinned clock.
#ifndef UPTIME_CLI_TESTING_CLI_TEST_FIXTURE_H_
#define UPTIME_CLI_TESTING_CLI_TEST_FIXTURE_H_

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/cli.h"
#include "cli/testing/fake_coordinator.h"
#include "gtest/gtest.h"

namespace uptime::cli {

inline const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

// The non-empty lines of what a command printed.
inline std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

class CliTest : public ::testing::Test {
 protected:
  // The developer's or CI's own UPTIME_* settings must not leak into tests.
  void SetUp() override {
    for (const char* name : {"UPTIME_ADDR", "UPTIME_TOKEN", "UPTIME_TOKEN_FILE", "UPTIME_OUTPUT",
                             "UPTIME_TIMEOUT", "UPTIME_TLS", "UPTIME_TLS_CA", "UPTIME_TLS_CERT",
                             "UPTIME_TLS_KEY", "UPTIME_TLS_SERVER_NAME", "UPTIME_CONTEXT"}) {
      unsetenv(name);
    }
  }
  void TearDown() override { SetUp(); }

  // Runs uptimectl against the fake; stdout/stderr land in out_/err_.
  int Run(std::vector<std::string> args) { return RunAt(fake_.addr(), std::move(args)); }

  int RunAt(const std::string& addr, std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"--addr", addr, "--timeout", "5s"});
    return RunCli(args, Env());
  }

  // Output into out_/err_, the pinned clock, and uptimectl's own
  // environment from env_vars_ only: the developer's config file of
  // contexts must not leak in. Its path is one of this test's own.
  CliEnv Env() {
    CliEnv env;
    env.out = &out_;
    env.err = &err_;
    env.now = [] { return kNow; };
    env.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_vars_.find(name);
      if (it == env_vars_.end()) return std::nullopt;
      return it->second;
    };
    return env;
  }

  std::string config_path() const {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return ::testing::TempDir() + "uptimectl-" + std::to_string(getpid()) + "-" +
           test->test_suite_name() + "-" + test->name() + "/config.yaml";
  }


  std::string out() const { return out_.str(); }
  std::string err() const { return err_.str(); }

  std::map<std::string, std::string> env_vars_ = {{"UPTIMECTL_CONFIG", config_path()}};
  FakeCoordinator fake_;
  std::ostringstream out_;
  std::ostringstream err_;
};

}  // namespace uptime::cli

#endif  // UPTIME_CLI_TESTING_CLI_TEST_FIXTURE_H_
