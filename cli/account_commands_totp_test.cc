// `uptimectl users totp enable|disable` against a fake coordinator: the
// secret shown once, the ways the code and the password are read, and an
// admin turning off another user's TOTP.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/testing/accounts_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

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

}  // namespace
}  // namespace uptime::cli
