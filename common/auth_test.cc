#include "common/auth.h"

#include "gtest/gtest.h"

namespace uptime {
namespace {

TEST(ConstantTimeEqualsTest, Compares) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(TokenAuthorizerTest, ScopesAndCodes) {
  TokenAuthorizer auth(Tokens{.admin = "adm", .read = "rd", .agent = "agt"});
  EXPECT_TRUE(auth.CheckHeader("Bearer adm", Scope::kAdmin).ok());
  EXPECT_TRUE(auth.CheckHeader("Bearer adm", Scope::kRead).ok());
  EXPECT_TRUE(auth.CheckHeader("bearer rd", Scope::kRead).ok());
  EXPECT_EQ(auth.CheckHeader("Bearer rd", Scope::kAdmin).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(auth.CheckHeader("Bearer agt", Scope::kRead).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(auth.CheckHeader("Bearer agt", Scope::kAgent).ok());
  EXPECT_EQ(auth.CheckHeader("Bearer adm", Scope::kAgent).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(auth.CheckHeader("Bearer nope", Scope::kRead).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(auth.CheckHeader("Basic xyz", Scope::kRead).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(TokenAuthorizerTest, EmptyConfiguredTokenNeverMatches) {
  TokenAuthorizer auth(Tokens{.admin = "adm", .read = "", .agent = ""});
  EXPECT_EQ(auth.CheckHeader("Bearer ", Scope::kRead).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(TokenAuthorizerTest, AllowAllPassesEverything) {
  TokenAuthorizer auth(Tokens{}, /*allow_all=*/true);
  EXPECT_TRUE(auth.CheckHeader("", Scope::kAdmin).ok());
}

}  // namespace
}  // namespace uptime
