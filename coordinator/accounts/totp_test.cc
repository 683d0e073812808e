#include "coordinator/accounts/totp.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

// RFC 6238 appendix B, SHA-1: the key is ASCII "12345678901234567890",
// whose base32 is below; the RFC's 8-digit codes end in these 6 digits.
constexpr char kRfcSecret[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

TEST(TotpTest, MatchesTheRfcVectors) {
  EXPECT_EQ(TotpCode(kRfcSecret, absl::FromUnixSeconds(59)), "287082");
  EXPECT_EQ(TotpCode(kRfcSecret, absl::FromUnixSeconds(1111111109)), "081804");
  EXPECT_EQ(TotpCode(kRfcSecret, absl::FromUnixSeconds(1234567890)), "005924");
  EXPECT_EQ(TotpCode(kRfcSecret, absl::FromUnixSeconds(2000000000)), "279037");
}

TEST(TotpTest, AcceptsOneStepOfDriftAndNoReplay) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  const std::string secret = NewTotpSecret();
  EXPECT_EQ(secret.size(), 32u);
  std::optional<int64_t> step = VerifyTotp(secret, TotpCode(secret, now), now, 0);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(*step, TotpStep(now));
  EXPECT_TRUE(VerifyTotp(secret, TotpCode(secret, now - absl::Seconds(30)), now, 0).has_value());
  EXPECT_TRUE(VerifyTotp(secret, TotpCode(secret, now + absl::Seconds(30)), now, 0).has_value());
  EXPECT_FALSE(VerifyTotp(secret, TotpCode(secret, now - absl::Seconds(90)), now, 0).has_value());
  // The same code again: refused.
  EXPECT_FALSE(VerifyTotp(secret, TotpCode(secret, now), now, *step).has_value());
  EXPECT_FALSE(VerifyTotp(secret, "12345", now, 0).has_value());
  EXPECT_FALSE(VerifyTotp("not base32!", "123456", now, 0).has_value());
}

TEST(TotpTest, LowerCaseAndGroupedSecretsDecode) {
  const absl::Time now = absl::FromUnixSeconds(59);
  EXPECT_EQ(TotpCode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", now), "287082");
}

TEST(TotpTest, UrlForAuthenticatorApps) {
  EXPECT_EQ(TotpUrl("Uptime Monitor", "alice", "ABC"),
            "otpauth://totp/Uptime%20Monitor:alice?secret=ABC&issuer=Uptime%20Monitor"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace uptime::coordinator
