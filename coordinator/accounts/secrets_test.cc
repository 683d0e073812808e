#include "coordinator/accounts/secrets.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

constexpr PasswordCost kCheap{.memory_kib = 64, .passes = 1, .lanes = 1};

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
  absl::StatusOr<std::string> hash = HashPassword("correct horse battery", kCheap);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(absl::StartsWith(*hash, "$argon2id$v=19$m=64,t=1,p=1$")) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword("", "correct horse battery"));
  EXPECT_FALSE(VerifyPassword("$argon2id$junk", "correct horse battery"));
}

TEST(PasswordTest, SaltsEveryHash) {
  absl::StatusOr<std::string> a = HashPassword("same password here", kCheap);
  absl::StatusOr<std::string> b = HashPassword("same password here", kCheap);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(PasswordTest, DefaultCostIsOwaspArgon2id) {
  absl::StatusOr<std::string> hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(absl::StartsWith(*hash, "$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
}

TEST(PasswordTest, ValidatesLength) {
  EXPECT_EQ(ValidatePassword("user.password", "short").message(),
            "user.password: must be at least 12 characters (a passphrase of a few words works)");
  EXPECT_TRUE(ValidatePassword("p", std::string(12, 'x')).ok());
  EXPECT_FALSE(ValidatePassword("p", std::string(1025, 'x')).ok());
}

TEST(CredentialTest, IsRandomPrefixedAndDigested) {
  std::string a = NewCredential("uk_");
  std::string b = NewCredential("uk_");
  EXPECT_EQ(a.size(), 3u + 43u);
  EXPECT_TRUE(absl::StartsWith(a, "uk_"));
  EXPECT_NE(a, b);
  EXPECT_EQ(CredentialDigest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(CredentialDigest(a).size(), 64u);
}

}  // namespace
}  // namespace uptime::coordinator
