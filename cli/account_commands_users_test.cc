// `uptimectl users ...` (create, list, get, update, delete, passwd,
// bootstrap) against a fake coordinator: requests built from flags, the ways
// a password is read (and that it is never printed), bootstrap's refusals,
// output formats and exit codes.
#include <optional>
#include <string>
#include <vector>

#include "cli/testing/accounts_test_fixture.h"
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

}  // namespace
}  // namespace uptime::cli
