// Shared fixture of the `uptimectl whoami|users|keys ...` tests: a fake
// coordinator that knows the static admin token and alice's session, a
// scripted terminal, standard input, and password files removed afterwards.
#ifndef UPTIME_CLI_TESTING_ACCOUNTS_TEST_FIXTURE_H_
#define UPTIME_CLI_TESTING_ACCOUNTS_TEST_FIXTURE_H_

#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/terminal.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {

inline constexpr char kAliceId[] = "u-00000000000000a1";
inline constexpr char kBobId[] = "u-00000000000000b2";
inline constexpr char kAdminToken[] = "static-admin";
inline constexpr char kAliceToken[] = "us_alice-session";
inline constexpr char kPassword[] = "correct horse battery";
inline constexpr char kNewPassword[] = "staple the horse twice";

// Answers prompts from a script and records them.
class ScriptedTerminal final : public Terminal {
 public:
  bool IsInteractive() override { return interactive; }

  absl::StatusOr<std::string> ReadHidden(absl::string_view prompt) override {
    prompts.emplace_back(prompt);
    if (answers.empty()) {
      return absl::InvalidArgumentError("input ended before the line was complete");
    }
    std::string answer = answers.front();
    answers.pop_front();
    return answer;
  }

  bool interactive = false;
  std::deque<std::string> answers;
  std::vector<std::string> prompts;
};

inline v1::User Alice() {
  v1::User user;
  user.set_id(kAliceId);
  user.set_username("alice");
  user.set_display_name("Alice Liddell");
  user.set_role(v1::ROLE_ADMIN);
  user.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(48)));
  user.mutable_last_login_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Minutes(5)));
  return user;
}

inline v1::User Bob() {
  v1::User user;
  user.set_id(kBobId);
  user.set_username("bob");
  user.set_role(v1::ROLE_EDITOR);
  user.set_disabled(true);
  user.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(2)));
  return user;
}

inline v1::Caller StaticAdmin() {
  v1::Caller caller;
  caller.set_name("admin-token");
  caller.set_role(v1::ROLE_ADMIN);
  caller.set_kind(v1::CREDENTIAL_KIND_STATIC_TOKEN);
  return caller;
}

inline v1::Caller AliceSession() {
  v1::Caller caller;
  caller.set_name("alice");
  caller.set_role(v1::ROLE_ADMIN);
  caller.set_user_id(kAliceId);
  caller.set_kind(v1::CREDENTIAL_KIND_SESSION);
  caller.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow + absl::Hours(12)));
  caller.mutable_idle_expire_time()->set_seconds(absl::ToUnixSeconds(kNow + absl::Minutes(30)));
  return caller;
}

class AccountsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    fake_.AddCredential(kAdminToken, StaticAdmin());
    fake_.AddCredential(kAliceToken, AliceSession());
  }

  // As CliTest::Run, with standard input `stdin_` and `terminal_`.
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"--addr", fake_.addr(), "--timeout", "5s"});
    std::istringstream in(stdin_);
    CliEnv env;
    env.out = &out_;
    env.err = &err_;
    env.now = [] { return kNow; };
    env.in = &in;
    env.terminal = terminal_;
    return RunCli(args, env);
  }

  // A file holding `content`, removed at the end of the test.
  std::string File(const std::string& name, const std::string& content) {
    std::string path = ::testing::TempDir() + "/uptimectl-" + name;
    std::ofstream(path, std::ios::binary) << content;
    files_.push_back(path);
    return path;
  }

  void TearDown() override {
    for (const std::string& path : files_) std::remove(path.c_str());
    CliTest::TearDown();
  }

  // Neither output stream shows `secret`.
  void ExpectNotPrinted(const std::string& secret) {
    EXPECT_THAT(out(), ::testing::Not(::testing::HasSubstr(secret)));
    EXPECT_THAT(err(), ::testing::Not(::testing::HasSubstr(secret)));
  }

  std::string stdin_;
  std::shared_ptr<ScriptedTerminal> terminal_ = std::make_shared<ScriptedTerminal>();
  std::vector<std::string> files_;
};

}  // namespace uptime::cli

#endif  // UPTIME_CLI_TESTING_ACCOUNTS_TEST_FIXTURE_H_
