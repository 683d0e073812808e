// `uptimectl keys list|create|revoke` against a fake coordinator: whose keys
// are listed, the key printed once, and partial failures when revoking.
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

}  // namespace
}  // namespace uptime::cli
