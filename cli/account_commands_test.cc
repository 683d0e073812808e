// `uptimectl whoami|users|keys ...` against a fake coordinator: requests built
// from flags, the ways a password or a TOTP code is read (and that a password
// is never printed),
// bootstrap's refusals, output formats and exit codes.
#include "cli/account_commands.h"

#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/terminal.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kAliceId[] = "u-00000000000000a1";
constexpr char kBobId[] = "u-00000000000000b2";
constexpr char kAdminToken[] = "static-admin";
constexpr char kAliceToken[] = "us_alice-session";
constexpr char kPassword[] = "correct horse battery";
constexpr char kNewPassword[] = "staple the horse twice";

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

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

v1::User Alice() {
  v1::User user;
  user.set_id(kAliceId);
  user.set_username("alice");
  user.set_display_name("Alice Liddell");
  user.set_role(v1::ROLE_ADMIN);
  user.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(48)));
  user.mutable_last_login_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Minutes(5)));
  return user;
}

v1::User Bob() {
  v1::User user;
  user.set_id(kBobId);
  user.set_username("bob");
  user.set_role(v1::ROLE_EDITOR);
  user.set_disabled(true);
  user.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(2)));
  return user;
}

v1::Caller StaticAdmin() {
  v1::Caller caller;
  caller.set_name("admin-token");
  caller.set_role(v1::ROLE_ADMIN);
  caller.set_kind(v1::CREDENTIAL_KIND_STATIC_TOKEN);
  return caller;
}

v1::Caller AliceSession() {
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
    EXPECT_THAT(out(), Not(HasSubstr(secret)));
    EXPECT_THAT(err(), Not(HasSubstr(secret)));
  }

  std::string stdin_;
  std::shared_ptr<ScriptedTerminal> terminal_ = std::make_shared<ScriptedTerminal>();
  std::vector<std::string> files_;
};

// ---- whoami ----

TEST_F(AccountsTest, WhoAmIShowsTheCaller) {
  ASSERT_EQ(Run({"--token", kAdminToken, "whoami"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()), ElementsAre("Name:        admin-token", "Role:        admin",
                                        "Credential:  static token"));

  ASSERT_EQ(Run({"--token", kAliceToken, "whoami"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()), ElementsAre("Name:         alice", "Role:         admin",
                                        "Credential:   session", "User id:      u-00000000000000a1",
                                        "Expires:      in 12h0m", "Idle expiry:  in 30m"));

  ASSERT_EQ(Run({"--token", kAliceToken, "-o", "json", "whoami"}), kExitOk) << err();
  v1::Caller printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.user_id(), kAliceId);
  EXPECT_EQ(printed.kind(), v1::CREDENTIAL_KIND_SESSION);
}

TEST_F(AccountsTest, WhoAmIWithAnApiKeyThatMustChangeItsPassword) {
  v1::Caller key = AliceSession();
  key.set_kind(v1::CREDENTIAL_KIND_API_KEY);
  key.set_api_key_id("k-0000000000000001");
  key.set_role(v1::ROLE_VIEWER);
  key.set_must_change_password(true);
  fake_.AddCredential("uk_key", key);
  ASSERT_EQ(Run({"--token", "uk_key", "whoami"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()), ElementsAre("Name:        alice", "Role:        viewer",
                                        "Credential:  API key k-0000000000000001",
                                        "User id:     u-00000000000000a1",
                                        "Password:    must be changed (uptimectl users passwd)"));
}

TEST_F(AccountsTest, WhoAmIWithUnknownCredentials) {
  EXPECT_EQ(Run({"--token", "nope", "whoami"}), kExitDenied);
  EXPECT_EQ(err(), "error: UNAUTHENTICATED: missing or unknown credentials\n");
  EXPECT_EQ(Run({"whoami"}), kExitDenied);
}

// ---- users create: the ways a password is read ----

TEST_F(AccountsTest, UsersCreateReadsThePasswordFile) {
  // A final CRLF is not part of the password; spaces are.
  const std::string path = File("pw", std::string(" ") + kPassword + " \r\n");
  ASSERT_EQ(Run({"users", "create", "bob", "--role", "Editor", "--display-name", "Bob B.",
                 "--password-file", path}),
            kExitOk)
      << err();
  std::optional<v1::CreateUserRequest> sent = fake_.Last<v1::CreateUserRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->user().username(), "bob");
  EXPECT_EQ(sent->user().role(), v1::ROLE_EDITOR);
  EXPECT_EQ(sent->user().display_name(), "Bob B.");
  EXPECT_EQ(sent->user().password(), std::string(" ") + kPassword + " ");
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID                  USERNAME  DISPLAY NAME  ROLE    STATUS  LAST LOGIN  "
                          "CREATED",
                          "u-0000000000000001  bob       Bob B.        editor  active  -           "
                          "0s ago"));
  ExpectNotPrinted(kPassword);
  EXPECT_THAT(terminal_->prompts, IsEmpty());
}

TEST_F(AccountsTest, UsersCreateReadsOneLineOfStdin) {
  stdin_ = std::string(kPassword) + "\nnot read\n";
  ASSERT_EQ(Run({"-o", "json", "users", "add", "bob", "--role", "viewer", "--password-stdin"}),
            kExitOk)
      << err();
  EXPECT_EQ(fake_.Last<v1::CreateUserRequest>()->user().password(), kPassword);
  v1::User printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.username(), "bob");
  EXPECT_EQ(printed.role(), v1::ROLE_VIEWER);
  ExpectNotPrinted(kPassword);
}

TEST_F(AccountsTest, UsersCreatePromptsTwiceOnATerminal) {
  terminal_->interactive = true;
  terminal_->answers = {kPassword, kPassword};
  ASSERT_EQ(Run({"users", "create", "bob", "--role", "admin"}), kExitOk) << err();
  EXPECT_THAT(terminal_->prompts, ElementsAre("Password for bob: ", "Repeat password for bob: "));
  EXPECT_EQ(fake_.Last<v1::CreateUserRequest>()->user().password(), kPassword);
  ExpectNotPrinted(kPassword);
}

TEST_F(AccountsTest, UsersCreatePasswordErrorsComeBeforeAnyCall) {
  struct Case {
    std::vector<std::string> flags;
    std::string stdin_text;
    std::vector<std::string> typed;  // answers at an interactive terminal; none: no terminal
    std::string error;
  };
  const std::string empty = File("empty", "\n");
  const std::string two_lines = File("two", "first password\nsecond password\n");
  const std::vector<Case> cases = {
      {{}, "", {}, "password: standard input is not a terminal"},
      {{}, "", {}, "--password-file FILE or --password-stdin (never as a flag value)"},
      {{"--password-file", "/nonexistent/pw"}, "", {}, "--password-file: cannot read"},
      {{"--password-file", empty}, "", {}, "is empty"},
      {{"--password-file", two_lines}, "", {}, "holds more than one line"},
      {{"--password-stdin"}, "", {}, "--password-stdin: standard input ended before the password"},
      {{"--password-stdin"}, "\n", {}, "--password-stdin: the password line is empty"},
      {{"--password-stdin", "--password-file", two_lines}, "", {}, "excludes"},
      {{}, "", {kPassword, "something else"}, "password: the two entries differ"},
      {{}, "", {""}, "password: nothing was typed"},
      {{}, "", {kPassword}, "password: input ended"},
  };
  for (const Case& c : cases) {
    stdin_ = c.stdin_text;
    terminal_ = std::make_shared<ScriptedTerminal>();
    terminal_->interactive = !c.typed.empty();
    terminal_->answers.assign(c.typed.begin(), c.typed.end());
    std::vector<std::string> args = {"users", "create", "bob", "--role", "viewer"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    EXPECT_EQ(Run(args), kExitUsage) << c.error;
    EXPECT_THAT(err(), HasSubstr(c.error));
    ExpectNotPrinted(kPassword);
  }
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(AccountsTest, UsersCreateFlagAndServerErrors) {
  stdin_ = kPassword;
  EXPECT_EQ(Run({"users", "create", "bob", "--password-stdin"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--role is required"));
  EXPECT_EQ(Run({"users", "create", "bob", "--role", "root", "--password-stdin"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--role: root not in {viewer,editor,admin}"));
  // A password as a flag value: refused without printing it back.
  for (const std::string& flag :
       {std::string("--password"), std::string("--password=") + kPassword}) {
    std::vector<std::string> args = {"users", "create", "bob", "--role", "viewer", flag};
    if (flag == "--password") args.push_back(kPassword);
    EXPECT_EQ(Run(args), kExitUsage) << flag;
    EXPECT_THAT(err(), HasSubstr("--password: passwords are never taken as flag values"));
    ExpectNotPrinted(kPassword);
  }
  EXPECT_EQ(fake_.calls(), 0);

  stdin_ = "short";
  EXPECT_EQ(Run({"users", "create", "bob", "--role", "viewer", "--password-stdin"}),
            kExitError);
  EXPECT_EQ(err(), "error: INVALID_ARGUMENT: user.password: must be 12 to 1024 characters\n");
  fake_.AddUser(Bob(), kPassword);
  stdin_ = kPassword;
  EXPECT_EQ(Run({"users", "create", "bob", "--role", "viewer", "--password-stdin"}),
            kExitError);
  EXPECT_EQ(err(), "error: ALREADY_EXISTS: user.username: 'bob' is taken\n");
}

// ---- users list, get, update, delete ----

TEST_F(AccountsTest, UsersListEveryPage) {
  fake_.AddUser(Alice(), kPassword);
  fake_.AddUser(Bob(), kPassword);
  fake_.SetMaxPageSize(1);
  ASSERT_EQ(Run({"users", "list", "--all"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID                  USERNAME  DISPLAY NAME   ROLE    STATUS    "
                          "LAST LOGIN  CREATED",
                          "u-00000000000000a1  alice     Alice Liddell  admin   active    "
                          "5m ago      2d0h ago",
                          "u-00000000000000b2  bob       -              editor  disabled  "
                          "-           2h0m ago"));
  EXPECT_EQ(err(), "");

  ASSERT_EQ(Run({"users", "ls"}), kExitOk) << err();
  EXPECT_EQ(Lines(out()).size(), 2u);
  EXPECT_EQ(err(), "more users: add --all, or --page-token alice\n");

  ASSERT_EQ(Run({"-o", "yaml", "users", "list", "--all"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("username: alice"));
  EXPECT_THAT(out(), HasSubstr("disabled: true"));
  ExpectNotPrinted(kPassword);
}

TEST_F(AccountsTest, UsersListEmpty) {
  ASSERT_EQ(Run({"users", "list"}), kExitOk) << err();
  EXPECT_EQ(out(), "");
  EXPECT_EQ(err(), "no users found\n");
}

TEST_F(AccountsTest, UsersGetByIdUsernameOrMe) {
  fake_.AddUser(Alice(), kPassword);
  fake_.AddUser(Bob(), kPassword);
  struct Case {
    std::string name;
    std::string username;
  };
  for (const Case& c :
       std::vector<Case>{{kBobId, "bob"}, {"bob", "bob"}, {"ALICE", "alice"}, {"me", "alice"}}) {
    ASSERT_EQ(Run({"--token", kAliceToken, "-o", "json", "users", "get", c.name}), kExitOk)
        << c.name << err();
    v1::User printed;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
    EXPECT_EQ(printed.username(), c.username) << c.name;
  }
  EXPECT_EQ(Run({"users", "get", "carol"}), kExitNotFound);
  EXPECT_EQ(err(), "error: NOT_FOUND: user 'carol' not found\n");
  EXPECT_EQ(Run({"users", "get", "u-00000000000000ff"}), kExitNotFound);
  EXPECT_EQ(err(), "error: NOT_FOUND: user 'u-00000000000000ff' not found\n");
}

TEST_F(AccountsTest, UsersUpdateSendsOnlyTheFieldsGiven) {
  struct Case {
    std::vector<std::string> flags;
    std::vector<std::string> mask;
  };
  const std::string pw = File("new", std::string(kNewPassword) + "\n");
  const std::vector<Case> cases = {
      {{"--role", "viewer"}, {"role"}},
      {{"--display-name", ""}, {"display_name"}},
      {{"--disable"}, {"disabled"}},
      {{"--enable", "--display-name", "Bob"}, {"display_name", "disabled"}},
      {{"--reset-password", "--password-file", pw}, {"password"}},
  };
  fake_.AddUser(Bob(), kPassword);
  for (const Case& c : cases) {
    std::vector<std::string> args = {"users", "update", "bob"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    ASSERT_EQ(Run(args), kExitOk) << c.flags[0] << ": " << err();
    std::optional<v1::UpdateUserRequest> sent = fake_.Last<v1::UpdateUserRequest>();
    ASSERT_TRUE(sent.has_value());
    EXPECT_EQ(sent->user().id(), kBobId);  // the username looked up
    EXPECT_THAT(sent->update_mask().paths(), ElementsAreArray(c.mask)) << c.flags[0];
  }
  std::optional<v1::User> bob = fake_.FindUser(kBobId);
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->role(), v1::ROLE_VIEWER);
  EXPECT_FALSE(bob->disabled());
  EXPECT_EQ(bob->display_name(), "Bob");
  EXPECT_EQ(fake_.PasswordOf(kBobId), kNewPassword);
  ExpectNotPrinted(kNewPassword);
}

TEST_F(AccountsTest, UsersUpdateResetPasswordPrompts) {
  fake_.AddUser(Bob(), kPassword);
  terminal_->interactive = true;
  terminal_->answers = {kNewPassword, kNewPassword};
  ASSERT_EQ(Run({"users", "update", kBobId, "--reset-password", "--disable"}), kExitOk) << err();
  EXPECT_THAT(terminal_->prompts, ElementsAre("New password for u-00000000000000b2: ",
                                              "Repeat new password for u-00000000000000b2: "));
  EXPECT_THAT(fake_.Last<v1::UpdateUserRequest>()->update_mask().paths(),
              ElementsAre("disabled", "password"));
  EXPECT_EQ(fake_.PasswordOf(kBobId), kNewPassword);
  ExpectNotPrinted(kNewPassword);
}

TEST_F(AccountsTest, UsersUpdateErrors) {
  fake_.AddUser(Bob(), kPassword);
  EXPECT_EQ(Run({"users", "update", "bob"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("nothing to update"));
  EXPECT_EQ(Run({"users", "update", "bob", "--disable", "--enable"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("excludes"));
  EXPECT_EQ(Run({"users", "update", "bob", "--role", "viewer", "--password-stdin"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("only with --reset-password"));
  EXPECT_EQ(Run({"users", "update", "bob", "--reset-password"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("not a terminal"));
  EXPECT_EQ(fake_.calls(), 0);

  EXPECT_EQ(Run({"users", "update", "carol", "--role", "admin"}), kExitNotFound);
  EXPECT_EQ(err(), "error: NOT_FOUND: user 'carol' not found\n");
}

TEST_F(AccountsTest, UsersDeleteByIdOrUsername) {
  fake_.AddUser(Alice(), kPassword);
  fake_.AddUser(Bob(), kPassword);
  EXPECT_EQ(Run({"users", "delete", "bob", "carol", kAliceId}), kExitNotFound);
  EXPECT_EQ(out(), "deleted bob\ndeleted u-00000000000000a1\n");
  EXPECT_EQ(err(), "error: NOT_FOUND: user 'carol' not found\n");
  EXPECT_FALSE(fake_.FindUser(kAliceId).has_value());
  EXPECT_FALSE(fake_.FindUser(kBobId).has_value());

  fake_.AddUser(Bob(), kPassword);
  ASSERT_EQ(Run({"-o", "json", "users", "rm", kBobId}), kExitOk) << err();
  google::protobuf::Struct printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.fields().at("deleted").list_value().values(0).string_value(), kBobId);
}

// ---- passwd ----

TEST_F(AccountsTest, PasswdAsksCurrentThenNewTwice) {
  fake_.AddUser(Alice(), kPassword);
  terminal_->interactive = true;
  terminal_->answers = {kPassword, kNewPassword, kNewPassword};
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "passwd"}), kExitOk) << err();
  EXPECT_THAT(terminal_->prompts,
              ElementsAre("Current password: ", "New password: ", "Repeat new password: "));
  EXPECT_EQ(out(), "password changed (your other sessions have been signed out)\n");
  EXPECT_EQ(fake_.PasswordOf(kAliceId), kNewPassword);
  ExpectNotPrinted(kPassword);
  ExpectNotPrinted(kNewPassword);
}

TEST_F(AccountsTest, PasswdFromStdinOrFiles) {
  fake_.AddUser(Alice(), kPassword);
  stdin_ = std::string(kPassword) + "\n" + kNewPassword + "\n";
  ASSERT_EQ(Run({"--token", kAliceToken, "-o", "json", "users", "passwd", "--password-stdin"}),
            kExitOk)
      << err();
  EXPECT_EQ(out(), "{}\n");
  std::optional<v1::ChangePasswordRequest> sent = fake_.Last<v1::ChangePasswordRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->current_password(), kPassword);
  EXPECT_EQ(sent->new_password(), kNewPassword);

  const std::string current = File("current", std::string(kNewPassword) + "\n");
  const std::string next = File("next", std::string(kPassword) + "\n");
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "passwd", "--current-password-file", current,
                 "--password-file", next}),
            kExitOk)
      << err();
  EXPECT_EQ(fake_.PasswordOf(kAliceId), kPassword);
  EXPECT_THAT(terminal_->prompts, IsEmpty());
}

TEST_F(AccountsTest, PasswdErrors) {
  fake_.AddUser(Alice(), kPassword);
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "passwd"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--current-password-file and --password-file or --password-stdin"));
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "passwd", "--current-password", kPassword}),
            kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--current-password: passwords are never taken as flag values"));
  ExpectNotPrinted(kPassword);
  stdin_ = std::string(kPassword) + "\n";
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "passwd", "--password-stdin"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("standard input ended before the password"));
  EXPECT_EQ(fake_.calls(), 0);

  stdin_ = std::string("wrong password!\n") + kNewPassword + "\n";
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "passwd", "--password-stdin"}), kExitDenied);
  EXPECT_EQ(err(), "error: PERMISSION_DENIED: current_password: does not match\n");
  EXPECT_EQ(fake_.PasswordOf(kAliceId), kPassword);
  ExpectNotPrinted(kNewPassword);
}

// ---- users totp ----

TEST_F(AccountsTest, TotpEnableShowsTheSecretThenPromptsForTheCode) {
  fake_.AddUser(Alice(), kPassword);
  terminal_->interactive = true;
  terminal_->answers = {"123 456"};  // as some apps group it
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable"}), kExitOk) << err();
  EXPECT_THAT(terminal_->prompts, ElementsAre("Code from the app: "));
  ASSERT_TRUE(fake_.Last<v1::BeginTotpEnrollmentRequest>().has_value());
  EXPECT_EQ(fake_.Last<v1::ConfirmTotpEnrollmentRequest>()->code(), "123456");
  EXPECT_THAT(
      Lines(out()),
      ElementsAre(absl::StrCat("Secret:  ", FakeCoordinator::kTotpSecret),
                  absl::StrCat("URL:     otpauth://totp/Uptime%20Monitor:alice?secret=",
                               FakeCoordinator::kTotpSecret, "&issuer=Uptime%20Monitor"),
                  "Add this to your authenticator app: scan the URL as a QR code, or type the "
                  "secret in by hand. Then enter the 6-digit code it shows.",
                  "two-factor sign-in is on: signing in now also needs a code from the app"));
  EXPECT_TRUE(fake_.FindUser(kAliceId)->totp_enabled());
}

TEST_F(AccountsTest, TotpEnableWithoutATerminalFinishesWithTheCodeFlag) {
  fake_.AddUser(Alice(), kPassword);
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr(absl::StrCat("Secret:  ", FakeCoordinator::kTotpSecret)));
  EXPECT_THAT(out(), HasSubstr("turn it on within 10 minutes with the 6-digit code it shows:\n"
                               "  uptimectl users totp enable --code CODE\n"));
  EXPECT_FALSE(fake_.Last<v1::ConfirmTotpEnrollmentRequest>().has_value());
  EXPECT_FALSE(fake_.FindUser(kAliceId)->totp_enabled());

  // --code only confirms: a new secret would not match the code.
  fake_.SetTotpCode("000042");
  const int before = fake_.calls();
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable", "--code", "000 042"}),
            kExitOk)
      << err();
  EXPECT_EQ(fake_.calls(), before + 1);
  EXPECT_EQ(fake_.Last<v1::ConfirmTotpEnrollmentRequest>()->code(), "000042");
  EXPECT_EQ(out(), "two-factor sign-in is on: signing in now also needs a code from the app\n");
  EXPECT_TRUE(fake_.FindUser(kAliceId)->totp_enabled());
  EXPECT_THAT(terminal_->prompts, IsEmpty());

  // Nothing begun (or begun over 10 minutes ago): the coordinator says so.
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable", "--code", "000042"}),
            kExitError);
  EXPECT_THAT(err(), HasSubstr("FAILED_PRECONDITION: no second factor is being set up"));
}

TEST_F(AccountsTest, TotpEnableReadsTheCodeFromStdinAfterPrintingTheSecret) {
  fake_.AddUser(Alice(), kPassword);
  fake_.SetTotpCode("314159");
  stdin_ = "314159\r\n";
  ASSERT_EQ(Run({"--token", kAliceToken, "-o", "json", "users", "totp", "enable", "--code-stdin"}),
            kExitOk)
      << err();
  // For scripts: the enrollment alone on standard output.
  v1::TotpEnrollment printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.secret(), FakeCoordinator::kTotpSecret);
  EXPECT_THAT(printed.otpauth_url(), HasSubstr("otpauth://totp/"));
  EXPECT_EQ(fake_.Last<v1::ConfirmTotpEnrollmentRequest>()->code(), "314159");
  EXPECT_TRUE(fake_.FindUser(kAliceId)->totp_enabled());
  EXPECT_THAT(terminal_->prompts, IsEmpty());
}

TEST_F(AccountsTest, TotpEnableErrors) {
  fake_.AddUser(Alice(), kPassword);
  // Refused before any call: codes that cannot be one.
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable", "--code", "12345"}),
            kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--code: expected the 6 digits the authenticator app shows"));
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable", "--code", "12345a"}),
            kExitUsage);
  EXPECT_EQ(
      Run({"--token", kAliceToken, "users", "totp", "enable", "--code", "123456", "--code-stdin"}),
      kExitUsage);
  EXPECT_EQ(fake_.calls(), 0);

  // After Begin: a typo at the prompt, the end of standard input, a wrong code.
  terminal_->interactive = true;
  terminal_->answers = {"12345"};
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("code: expected the 6 digits"));
  terminal_->interactive = false;
  stdin_ = "";
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable", "--code-stdin"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--code-stdin: standard input ended before the code"));
  EXPECT_FALSE(fake_.Last<v1::ConfirmTotpEnrollmentRequest>().has_value());

  fake_.SetTotpCode("654321");
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "enable", "--code", "123456"}),
            kExitError);
  EXPECT_EQ(err(),
            "error: INVALID_ARGUMENT: code: does not match; check the phone's clock and enter "
            "the current code\n");
  EXPECT_FALSE(fake_.FindUser(kAliceId)->totp_enabled());

  // The static admin token is no user.
  EXPECT_EQ(Run({"--token", kAdminToken, "users", "totp", "enable"}), kExitError);
  EXPECT_THAT(err(), HasSubstr("FAILED_PRECONDITION: a second factor belongs to a user"));
}

TEST_F(AccountsTest, TotpDisableOwnAsksForThePassword) {
  v1::User alice = Alice();
  alice.set_totp_enabled(true);
  fake_.AddUser(alice, kPassword);
  terminal_->interactive = true;
  terminal_->answers = {kPassword};
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "totp", "disable"}), kExitOk) << err();
  EXPECT_THAT(terminal_->prompts, ElementsAre("Your password: "));
  std::optional<v1::DisableTotpRequest> sent = fake_.Last<v1::DisableTotpRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->user_id(), "me");
  EXPECT_EQ(sent->password(), kPassword);
  EXPECT_EQ(out(), "two-factor sign-in is off: signing in needs only your password\n");
  EXPECT_FALSE(fake_.FindUser(kAliceId)->totp_enabled());
  ExpectNotPrinted(kPassword);

  // Scripts: standard input or a file; naming oneself counts as oneself.
  terminal_->interactive = false;
  stdin_ = std::string(kPassword) + "\n";
  ASSERT_EQ(Run({"--token", kAliceToken, "-o", "json", "users", "totp", "disable", "me",
                 "--password-stdin"}),
            kExitOk)
      << err();
  EXPECT_EQ(out(), "{}\n");
  EXPECT_EQ(fake_.Last<v1::DisableTotpRequest>()->password(), kPassword);
  const std::string path = File("pw", std::string(kPassword) + "\n");
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "totp", "disable", "alice", "--password-file",
                 path}),
            kExitOk)
      << err();
  sent = fake_.Last<v1::DisableTotpRequest>();
  EXPECT_EQ(sent->user_id(), kAliceId);
  EXPECT_EQ(sent->password(), kPassword);
  EXPECT_EQ(out(), "two-factor sign-in is off: signing in needs only your password\n");
  ExpectNotPrinted(kPassword);
}

TEST_F(AccountsTest, TotpDisableOwnErrors) {
  fake_.AddUser(Alice(), kPassword);
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "disable"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--password-file FILE or --password-stdin"));
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "disable", "--password", kPassword}),
            kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--password: passwords are never taken as flag values"));
  ExpectNotPrinted(kPassword);
  EXPECT_EQ(fake_.calls(), 0);

  stdin_ = "not the password\n";
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "disable", "--password-stdin"}),
            kExitError);
  EXPECT_EQ(err(), "error: INVALID_ARGUMENT: password: is wrong\n");
}

TEST_F(AccountsTest, TotpDisableAnotherUsersAsAdmin) {
  fake_.AddUser(Alice(), kPassword);
  v1::User bob = Bob();
  bob.set_totp_enabled(true);
  fake_.AddUser(bob, kNewPassword);
  ASSERT_EQ(Run({"--token", kAliceToken, "users", "totp", "disable", "bob"}), kExitOk) << err();
  std::optional<v1::DisableTotpRequest> sent = fake_.Last<v1::DisableTotpRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->user_id(), kBobId);
  EXPECT_EQ(sent->password(), "");
  EXPECT_EQ(out(), "two-factor sign-in is off for bob\n");
  EXPECT_FALSE(fake_.FindUser(kBobId)->totp_enabled());
  EXPECT_THAT(terminal_->prompts, IsEmpty());

  // No password for someone else's.
  stdin_ = std::string(kPassword) + "\n";
  EXPECT_EQ(
      Run({"--token", kAliceToken, "users", "totp", "disable", kBobId, "--password-stdin"}),
      kExitUsage);
  EXPECT_THAT(err(), HasSubstr("only for your own second factor"));

  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs the admin role"));
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "totp", "disable", kBobId}), kExitDenied);
  EXPECT_EQ(err(), "error: PERMISSION_DENIED: needs the admin role\n");
}

// ---- bootstrap ----

TEST_F(AccountsTest, BootstrapCreatesTheFirstAdmin) {
  stdin_ = std::string(kPassword) + "\n";
  ASSERT_EQ(Run({"--token", kAdminToken, "users", "bootstrap", "root", "--display-name", "Ops",
                 "--password-stdin"}),
            kExitOk)
      << err();
  std::optional<v1::CreateUserRequest> sent = fake_.Last<v1::CreateUserRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->user().username(), "root");
  EXPECT_EQ(sent->user().display_name(), "Ops");
  EXPECT_EQ(sent->user().role(), v1::ROLE_ADMIN);
  EXPECT_EQ(sent->user().password(), kPassword);
  EXPECT_THAT(out(), HasSubstr("root"));
  ExpectNotPrinted(kPassword);
}

TEST_F(AccountsTest, BootstrapRefusesOnceUsersExist) {
  fake_.AddUser(Alice(), kPassword);
  terminal_->interactive = true;
  EXPECT_EQ(Run({"--token", kAdminToken, "users", "bootstrap", "root"}), kExitError);
  EXPECT_EQ(err(),
            "error: FAILED_PRECONDITION: bootstrap refused: the coordinator has users already "
            "(such as 'alice'); an admin adds more with 'uptimectl users create USERNAME --role "
            "ROLE'\n");
  EXPECT_FALSE(fake_.Last<v1::CreateUserRequest>().has_value());
  EXPECT_THAT(terminal_->prompts, IsEmpty());  // no password asked for in vain
}

TEST_F(AccountsTest, BootstrapNeedsTheStaticAdminToken) {
  EXPECT_EQ(Run({"--token", kAliceToken, "users", "bootstrap", "root"}), kExitError);
  EXPECT_EQ(err(),
            "error: FAILED_PRECONDITION: bootstrap needs the coordinator's static admin token "
            "(--token or --token-file); these credentials are 'alice' with role admin\n");
  EXPECT_EQ(Run({"users", "bootstrap", "root"}), kExitDenied);
  EXPECT_THAT(err(), HasSubstr("UNAUTHENTICATED"));
  EXPECT_FALSE(fake_.Last<v1::CreateUserRequest>().has_value());
}

// ---- keys ----

v1::ApiKey Key(const std::string& id, const std::string& user_id, const std::string& username) {
  v1::ApiKey key;
  key.set_id(id);
  key.set_user_id(user_id);
  key.set_username(username);
  key.set_name(absl::StrCat("key of ", username));
  key.set_role(v1::ROLE_VIEWER);
  key.set_prefix("uk_AbCd");
  key.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(3)));
  return key;
}

TEST_F(AccountsTest, KeysListOwnUsersOrAll) {
  fake_.AddUser(Alice(), kPassword);
  fake_.AddUser(Bob(), kPassword);
  v1::ApiKey alices = Key("k-00000000000000a1", kAliceId, "alice");
  alices.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow + absl::Hours(24 * 30)));
  alices.mutable_last_used_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Minutes(1)));
  fake_.AddApiKey(alices);
  fake_.AddApiKey(Key("k-00000000000000b2", kBobId, "bob"));

  ASSERT_EQ(Run({"--token", kAliceToken, "keys", "list"}), kExitOk) << err();
  EXPECT_EQ(fake_.Last<v1::ListApiKeysRequest>()->user_id(), "");
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID                  NAME          OWNER  ROLE    PREFIX   EXPIRES   "
                          "LAST USED  CREATED",
                          "k-00000000000000a1  key of alice  alice  viewer  uk_AbCd  in 30d0h  "
                          "1m ago     3h0m ago"));

  ASSERT_EQ(Run({"keys", "ls", "--user", "bob"}), kExitOk) << err();
  EXPECT_EQ(fake_.Last<v1::ListApiKeysRequest>()->user_id(), kBobId);
  EXPECT_EQ(Lines(out()).size(), 2u);

  ASSERT_EQ(Run({"-o", "json", "keys", "list", "--all"}), kExitOk) << err();
  EXPECT_EQ(fake_.Last<v1::ListApiKeysRequest>()->user_id(), "-");
  v1::ListApiKeysResponse printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.api_keys_size(), 2);

  EXPECT_EQ(Run({"keys", "list", "--all", "--user", "bob"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("excludes"));
  ASSERT_EQ(Run({"keys", "list"}), kExitOk) << err();  // static token: no keys of its own
  EXPECT_EQ(err(), "no API keys found\n");
}

TEST_F(AccountsTest, KeysCreatePrintsTheKeyOnce) {
  fake_.AddUser(Alice(), kPassword);
  ASSERT_EQ(Run({"--token", kAliceToken, "keys", "create", "ci deploy", "--role", "editor",
                 "--expires", "30d"}),
            kExitOk)
      << err();
  std::optional<v1::CreateApiKeyRequest> sent = fake_.Last<v1::CreateApiKeyRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->api_key().name(), "ci deploy");
  EXPECT_EQ(sent->api_key().role(), v1::ROLE_EDITOR);
  EXPECT_EQ(sent->api_key().expire_time().seconds(),
            absl::ToUnixSeconds(kNow + absl::Hours(24 * 30)));
  EXPECT_EQ(sent->user_id(), "");
  const std::vector<std::string> lines = Lines(out());
  ASSERT_EQ(lines.size(), 4u) << out();
  EXPECT_THAT(lines[1], HasSubstr("ci deploy  alice  editor"));
  // The fake's key: "uk_", padding, the key's id.
  EXPECT_EQ(lines[2], absl::StrCat("key: uk_", std::string(25, 'x'), "k-0000000000000001"));
  EXPECT_EQ(lines[3],
            "This key cannot be shown again: store it now (it is kept only as a hash). Send it "
            "as --token.");

  ASSERT_EQ(Run({"--token", kAliceToken, "-o", "json", "keys", "create", "ro", "--role", "viewer",
                 "--expires", "2023-12-01T00:00:00Z", "--user", "alice"}),
            kExitOk)
      << err();
  EXPECT_EQ(fake_.Last<v1::CreateApiKeyRequest>()->user_id(), kAliceId);
  v1::CreateApiKeyResponse printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_THAT(printed.key(), ::testing::StartsWith("uk_"));
  EXPECT_EQ(printed.api_key().name(), "ro");
  EXPECT_EQ(printed.api_key().expire_time().seconds(), 1'701'388'800);
}

TEST_F(AccountsTest, KeysCreateErrors) {
  struct Case {
    std::vector<std::string> flags;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--role", "viewer", "--expires", "soon"}, "--expires: expected a duration such as 30d"},
      {{"--role", "viewer", "--expires", "-3d"}, "--expires: expected"},
      {{"--role", "viewer", "--expires", "0d"}, "--expires: expected"},
      {{"--role", "viewer", "--expires", "2020-01-01T00:00:00Z"},
       "--expires: '2020-01-01T00:00:00Z' is in the past"},
      {{"--role", "owner"}, "--role: owner not in"},
      {{}, "--role is required"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"keys", "create", "ci"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    EXPECT_EQ(Run(args), kExitUsage) << c.error;
    EXPECT_THAT(err(), HasSubstr(c.error));
  }
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(Run({"--token", kAliceToken, "keys", "create", "ci", "--role", "viewer"}),
            kExitNotFound);  // alice is not a user of this fake yet
  EXPECT_THAT(err(), HasSubstr("NOT_FOUND"));
}

TEST(ParseExpiryTest, DurationsAndTimes) {
  EXPECT_EQ(*ParseExpiry("30d", kNow), kNow + absl::Hours(720));
  EXPECT_EQ(*ParseExpiry("1d12h", kNow), kNow + absl::Hours(36));
  EXPECT_EQ(*ParseExpiry("90m", kNow), kNow + absl::Minutes(90));
  EXPECT_EQ(*ParseExpiry("2023-11-15T00:00:00+01:00", kNow), absl::FromUnixSeconds(1'700'002'800));
  for (const char* bad : {"", "d", "1.5d", "30", "30x", "0s", "1d-2d", "tomorrow"}) {
    EXPECT_FALSE(ParseExpiry(bad, kNow).ok()) << bad;
  }
}

TEST_F(AccountsTest, KeysRevoke) {
  fake_.AddApiKey(Key("k-00000000000000a1", kAliceId, "alice"));
  fake_.AddApiKey(Key("k-00000000000000b2", kBobId, "bob"));
  EXPECT_EQ(Run({"keys", "revoke", "k-00000000000000a1", "k-nope", "k-00000000000000b2"}),
            kExitNotFound);
  EXPECT_EQ(out(), "deleted k-00000000000000a1\ndeleted k-00000000000000b2\n");
  EXPECT_EQ(err(), "error: NOT_FOUND: API key 'k-nope' not found\n");
  EXPECT_FALSE(fake_.HasApiKey("k-00000000000000a1"));
  EXPECT_FALSE(fake_.HasApiKey("k-00000000000000b2"));

  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs the admin role"));
  EXPECT_EQ(Run({"keys", "rm", "k-1", "k-2"}), kExitDenied);
  EXPECT_EQ(err(), "error: PERMISSION_DENIED: needs the admin role\n");
}

TEST_F(AccountsTest, Help) {
  ASSERT_EQ(Run({"users", "--help"}), kExitOk);
  for (const char* sub :
       {"list", "get", "create", "update", "delete", "passwd", "bootstrap", "totp"}) {
    EXPECT_THAT(out(), HasSubstr(sub));
  }
  ASSERT_EQ(Run({"users", "totp", "--help"}), kExitOk);
  for (const char* sub : {"enable", "disable"}) EXPECT_THAT(out(), HasSubstr(sub));
  ASSERT_EQ(Run({"users", "totp", "disable", "--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("--password-stdin"));
  EXPECT_THAT(out(), Not(HasSubstr("--password TEXT")));
  ASSERT_EQ(Run({"users", "create", "--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("--password-file"));
  EXPECT_THAT(out(), HasSubstr("--password-stdin"));
  EXPECT_THAT(out(), Not(HasSubstr("--password TEXT")));  // the refusing option is hidden
  ASSERT_EQ(Run({"keys", "--help"}), kExitOk);
  for (const char* sub : {"list", "create", "revoke"}) EXPECT_THAT(out(), HasSubstr(sub));
  EXPECT_EQ(Run({"keys"}), kExitUsage);
  EXPECT_EQ(Run({"users", "frob"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("unknown command 'frob'"));
}

}  // namespace
}  // namespace uptime::cli
