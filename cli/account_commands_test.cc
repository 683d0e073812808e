// `uptimectl whoami`, --expires parsing and the account commands' help,
// against a fake coordinator. The users, TOTP and keys commands have their
// own test files beside this one.
#include "cli/account_commands.h"

#include <string>
#include <vector>

#include "cli/testing/accounts_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

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

TEST(ParseExpiryTest, DurationsAndTimes) {
  EXPECT_EQ(*ParseExpiry("30d", kNow), kNow + absl::Hours(720));
  EXPECT_EQ(*ParseExpiry("1d12h", kNow), kNow + absl::Hours(36));
  EXPECT_EQ(*ParseExpiry("90m", kNow), kNow + absl::Minutes(90));
  EXPECT_EQ(*ParseExpiry("2023-11-15T00:00:00+01:00", kNow), absl::FromUnixSeconds(1'700'002'800));
  for (const char* bad : {"", "d", "1.5d", "30", "30x", "0s", "1d-2d", "tomorrow"}) {
    EXPECT_FALSE(ParseExpiry(bad, kNow).ok()) << bad;
  }
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
