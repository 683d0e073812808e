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

TEST(TokenAuthorizerTest, EditNeedsAnEditor) {
  TokenAuthorizer auth(Tokens{.admin = "adm", .read = "rd", .agent = "agt"});
  EXPECT_TRUE(auth.CheckHeader("Bearer adm", Scope::kEdit).ok());
  grpc::Status denied = auth.CheckHeader("Bearer rd", Scope::kEdit);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.error_message(),
            "this call needs the 'editor' role or higher; read-token has 'viewer'");
}

// Answers for one key and one session; everything else is unknown.
class FakeResolver : public CredentialResolver {
 public:
  absl::StatusOr<Principal> Resolve(absl::string_view credential) const override {
    if (credential == "uk_editor") {
      return Principal{.role = AccessRole::kEditor, .kind = CredentialKind::kApiKey,
                       .name = "erin", .user_id = "u-1", .api_key_id = "k-1"};
    }
    if (credential == "us_viewer") {
      return Principal{.role = AccessRole::kViewer, .kind = CredentialKind::kSession,
                       .name = "vic", .user_id = "u-2", .session_id = "s-1"};
    }
    return absl::UnauthenticatedError("invalid credential");
  }
};

TEST(TokenAuthorizerTest, UserCredentialsGoToTheResolver) {
  FakeResolver resolver;
  TokenAuthorizer auth(Tokens{.admin = "adm", .read = "rd", .agent = "agt"}, false, &resolver);
  absl::StatusOr<Principal> erin = auth.AuthenticateHeader("Bearer uk_editor");
  ASSERT_TRUE(erin.ok());
  EXPECT_EQ(erin->name, "erin");
  EXPECT_TRUE(auth.CheckHeader("Bearer uk_editor", Scope::kEdit).ok());
  EXPECT_EQ(auth.CheckHeader("Bearer uk_editor", Scope::kAdmin).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(auth.CheckHeader("Bearer uk_editor", Scope::kAgent).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(auth.CheckHeader("Bearer us_viewer", Scope::kRead).ok());
  EXPECT_EQ(auth.CheckHeader("Bearer us_viewer", Scope::kEdit).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(auth.CheckHeader("Bearer uk_revoked", Scope::kRead).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Static tokens still work beside the resolver.
  EXPECT_TRUE(auth.CheckHeader("Bearer adm", Scope::kAdmin).ok());
}

TEST(TokenAuthorizerTest, AllowAllPassesEverything) {
  TokenAuthorizer auth(Tokens{}, /*allow_all=*/true);
  EXPECT_TRUE(auth.CheckHeader("", Scope::kAdmin).ok());
}

}  // namespace
}  // namespace uptime
