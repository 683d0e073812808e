// AccountStore contract, run against the in-memory and PostgreSQL stores:
// users, API keys and sessions. The audit log is in account_store_audit_test.cc.
#include "store/account_store.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/testing/account_store_test_fixture.h"

namespace uptime::testing {
namespace {

using store::StoredApiKey;
using store::StoredSession;
using store::StoredUser;

TYPED_TEST_SUITE(AccountStoreTest, StoreBackends, BackendNames);

TYPED_TEST(AccountStoreTest, UsersRoundTripEveryFieldOrderedByIdWithoutPassword) {
  StoredUser b = User("u-b", "bob");
  b.user.set_password("never stored in clear");
  StoredUser a = User("u-a", "zed");
  a.user.set_role(v1::ROLE_ADMIN);
  a.user.set_disabled(false);
  a.user.set_totp_enabled(false);
  a.user.clear_last_login_time();
  a.totp_secret.clear();
  ASSERT_TRUE(this->store_->InsertUser(b, Audit("user.create", "user", "u-b")).ok());
  ASSERT_TRUE(this->store_->InsertUser(a, Audit("user.create", "user", "u-a")).ok());

  absl::StatusOr<std::vector<StoredUser>> users = this->store_->LoadUsers();
  ASSERT_TRUE(users.ok()) << users.status();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_TRUE(ProtoEq(a.user, (*users)[0].user));
  EXPECT_EQ((*users)[0].password_hash, a.password_hash);
  EXPECT_EQ((*users)[0].totp_secret, "");
  b.user.clear_password();
  EXPECT_TRUE(ProtoEq(b.user, (*users)[1].user));
  EXPECT_EQ((*users)[1].password_hash, b.password_hash);
  EXPECT_EQ((*users)[1].totp_secret, b.totp_secret);
}

TYPED_TEST(AccountStoreTest, UsernameAndIdAreUniqueUsernameCaseInsensitively) {
  this->InsertUser("u-a", "alice");
  absl::Status same_name = this->store_->InsertUser(User("u-b", "ALICE"), Audit("c", "user", "b"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_name)) << same_name;
  EXPECT_NE(same_name.message().find("username 'ALICE' is taken"), std::string::npos) << same_name;
  absl::Status same_id = this->store_->InsertUser(User("u-a", "carol"), Audit("c", "user", "a"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_id)) << same_id;
  EXPECT_NE(same_id.message().find("id 'u-a'"), std::string::npos) << same_id;
  EXPECT_EQ(this->store_->LoadUsers()->size(), 1u);

  // A deleted user's name is free again, in any case.
  ASSERT_TRUE(this->store_->DeleteUser("u-a", Audit("user.delete", "user", "u-a")).ok());
  this->InsertUser("u-b", "Alice");
}

TYPED_TEST(AccountStoreTest, UpdateReplacesUserAndEndsSessionsOnlyWhenAsked) {
  this->InsertUser("u-a", "alice");
  this->InsertUser("u-b", "bob");
  ASSERT_TRUE(this->store_->InsertSession(Session("s-1", "u-a", "h1"), Audit("l", "s", "1")).ok());
  ASSERT_TRUE(this->store_->InsertSession(Session("s-2", "u-b", "h2"), Audit("l", "s", "2")).ok());

  // Cleared fields must not linger.
  StoredUser changed = User("u-a", "alice");
  changed.user.set_display_name("Alice");
  changed.user.set_role(v1::ROLE_ADMIN);
  changed.user.clear_last_login_time();
  changed.user.set_totp_enabled(false);
  changed.totp_secret.clear();
  changed.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$bmV3$bmV3";
  ToProto(T(30), changed.user.mutable_update_time());
  ASSERT_TRUE(
      this->store_->UpdateUser(changed, false, Audit("user.update", "user", "u-a")).ok());
  absl::StatusOr<std::vector<StoredUser>> users = this->store_->LoadUsers();
  ASSERT_TRUE(users.ok()) << users.status();
  EXPECT_TRUE(ProtoEq(changed.user, (*users)[0].user));
  EXPECT_EQ((*users)[0].password_hash, changed.password_hash);
  EXPECT_EQ((*users)[0].totp_secret, "");
  EXPECT_EQ(this->store_->LoadSessions(T(0))->size(), 2u);

  ASSERT_TRUE(
      this->store_->UpdateUser(changed, true, Audit("user.update", "user", "u-a")).ok());
  absl::StatusOr<std::vector<StoredSession>> sessions = this->store_->LoadSessions(T(0));
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].id, "s-2");  // the other user's session stays

  absl::Status missing = this->store_->UpdateUser(User("u-x", "x"), false, Audit("u", "user", "x"));
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
  absl::Status renamed =
      this->store_->UpdateUser(User("u-a", "alicia"), false, Audit("u", "user", "a"));
  EXPECT_TRUE(absl::IsInvalidArgument(renamed)) << renamed;
  EXPECT_EQ(this->store_->LoadUsers()->at(0).user.username(), "alice");
}

TYPED_TEST(AccountStoreTest, DeleteUserTakesItsKeysAndSessions) {
  this->InsertUser("u-a", "alice");
  this->InsertUser("u-b", "bob");
  ASSERT_TRUE(this->store_->InsertApiKey(Key("k-1", "u-a", "ka"), Audit("c", "k", "1")).ok());
  ASSERT_TRUE(this->store_->InsertApiKey(Key("k-2", "u-b", "kb"), Audit("c", "k", "2")).ok());
  ASSERT_TRUE(this->store_->InsertSession(Session("s-1", "u-a", "sa"), Audit("l", "s", "1")).ok());
  ASSERT_TRUE(this->store_->InsertSession(Session("s-2", "u-b", "sb"), Audit("l", "s", "2")).ok());

  ASSERT_TRUE(this->store_->DeleteUser("u-a", Audit("user.delete", "user", "u-a")).ok());
  ASSERT_EQ(this->store_->LoadUsers()->size(), 1u);
  absl::StatusOr<std::vector<StoredApiKey>> keys = this->store_->LoadApiKeys();
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].key.id(), "k-2");
  absl::StatusOr<std::vector<StoredSession>> sessions = this->store_->LoadSessions(T(0));
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].id, "s-2");

  absl::Status again = this->store_->DeleteUser("u-a", Audit("user.delete", "user", "u-a"));
  EXPECT_TRUE(absl::IsNotFound(again)) << again;
  // The deleted key's and session's ids and hashes are free again.
  this->InsertUser("u-c", "carol");
  EXPECT_TRUE(this->store_->InsertApiKey(Key("k-1", "u-c", "ka"), Audit("c", "k", "1")).ok());
  EXPECT_TRUE(this->store_->InsertSession(Session("s-1", "u-c", "sa"), Audit("l", "s", "1")).ok());
}

TYPED_TEST(AccountStoreTest, ApiKeysRoundTripAndGuardIdHashAndOwner) {
  this->InsertUser("u-a", "alice");
  const StoredApiKey b = Key("k-b", "u-a", "hash-b");
  StoredApiKey a = Key("k-a", "u-a", "hash-a");
  a.key.clear_expire_time();
  a.key.clear_last_used_time();
  ASSERT_TRUE(this->store_->InsertApiKey(b, Audit("api_key.create", "api_key", "k-b")).ok());
  ASSERT_TRUE(this->store_->InsertApiKey(a, Audit("api_key.create", "api_key", "k-a")).ok());
  absl::StatusOr<std::vector<StoredApiKey>> keys = this->store_->LoadApiKeys();
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE(ProtoEq(a.key, (*keys)[0].key));
  EXPECT_EQ((*keys)[0].key_hash, "hash-a");
  EXPECT_TRUE(ProtoEq(b.key, (*keys)[1].key));
  EXPECT_EQ((*keys)[1].key_hash, "hash-b");

  absl::Status same_hash =
      this->store_->InsertApiKey(Key("k-c", "u-a", "hash-a"), Audit("c", "api_key", "k-c"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_hash)) << same_hash;
  EXPECT_NE(same_hash.message().find("hash is taken"), std::string::npos) << same_hash;
  EXPECT_EQ(same_hash.message().find("hash-a"), std::string::npos) << same_hash;
  absl::Status same_id =
      this->store_->InsertApiKey(Key("k-a", "u-a", "hash-c"), Audit("c", "api_key", "k-a"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_id)) << same_id;
  EXPECT_NE(same_id.message().find("id 'k-a'"), std::string::npos) << same_id;
  absl::Status no_owner =
      this->store_->InsertApiKey(Key("k-c", "u-gone", "hash-c"), Audit("c", "api_key", "k-c"));
  EXPECT_TRUE(absl::IsNotFound(no_owner)) << no_owner;
  EXPECT_NE(no_owner.message().find("user 'u-gone'"), std::string::npos) << no_owner;

  ASSERT_TRUE(this->store_->DeleteApiKey("k-a", Audit("api_key.revoke", "api_key", "k-a")).ok());
  absl::Status again = this->store_->DeleteApiKey("k-a", Audit("api_key.revoke", "api_key", "k-a"));
  EXPECT_TRUE(absl::IsNotFound(again)) << again;
  EXPECT_EQ(this->store_->LoadApiKeys()->size(), 1u);
}

TYPED_TEST(AccountStoreTest, TouchApiKeysSetsLastUsedAndSkipsUnknownIds) {
  this->InsertUser("u-a", "alice");
  StoredApiKey never_used = Key("k-a", "u-a", "ha");
  never_used.key.clear_last_used_time();
  ASSERT_TRUE(this->store_->InsertApiKey(never_used, Audit("c", "api_key", "k-a")).ok());
  ASSERT_TRUE(this->store_->InsertApiKey(Key("k-b", "u-a", "hb"), Audit("c", "api_key", "k-b")).ok());
  const size_t events = this->AllAudit().size();

  EXPECT_TRUE(this->store_->TouchApiKeys({}).ok());
  absl::Status touched =
      this->store_->TouchApiKeys({{"k-a", T(100)}, {"k-gone", T(100)}, {"k-b", T(101)},
                                  {"k-b", T(102)}});
  ASSERT_TRUE(touched.ok()) << touched;
  absl::StatusOr<std::vector<StoredApiKey>> keys = this->store_->LoadApiKeys();
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(FromProto((*keys)[0].key.last_used_time()), T(100));
  EXPECT_EQ(FromProto((*keys)[1].key.last_used_time()), T(102));  // the last one given wins
  EXPECT_EQ((*keys)[1].key.name(), "ci \"deploy\"");  // the rest unchanged
  EXPECT_EQ(this->AllAudit().size(), events);  // not audited
}

TYPED_TEST(AccountStoreTest, SessionsRoundTripTouchAndExpire) {
  this->InsertUser("u-a", "alice");
  const StoredSession live = Session("s-b", "u-a", "hb", T(500));
  StoredSession other = Session("s-a", "u-a", "ha", T(600));
  other.client_address.clear();
  ASSERT_TRUE(this->store_->InsertSession(live, Audit("session.login", "session", "s-b")).ok());
  ASSERT_TRUE(this->store_->InsertSession(other, Audit("session.login", "session", "s-a")).ok());
  ASSERT_TRUE(
      this->store_->InsertSession(Session("s-c", "u-a", "hc", T(200)), Audit("l", "s", "c")).ok());

  // Ordered by id; expire_time <= now counts as expired.
  absl::StatusOr<std::vector<StoredSession>> sessions = this->store_->LoadSessions(T(200));
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  ASSERT_EQ(sessions->size(), 2u);
  const StoredSession& a = (*sessions)[0];
  EXPECT_EQ(a.id, "s-a");
  EXPECT_EQ(a.token_hash, "ha");
  EXPECT_EQ(a.user_id, "u-a");
  EXPECT_EQ(a.create_time, T(10));
  EXPECT_EQ(a.last_seen_time, T(11));
  EXPECT_EQ(a.expire_time, T(600));
  EXPECT_EQ(a.client_address, "");
  EXPECT_EQ((*sessions)[1].id, "s-b");
  EXPECT_EQ((*sessions)[1].client_address, live.client_address);
  EXPECT_EQ(this->store_->LoadSessions(T(199))->size(), 3u);

  ASSERT_TRUE(this->store_->TouchSessions({{"s-b", T(150)}, {"s-gone", T(150)}}).ok());
  EXPECT_TRUE(this->store_->TouchSessions({}).ok());
  sessions = this->store_->LoadSessions(T(0));
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  EXPECT_EQ((*sessions)[1].last_seen_time, T(150));
  EXPECT_EQ((*sessions)[0].last_seen_time, T(11));

  const size_t events = this->AllAudit().size();
  absl::StatusOr<int64_t> deleted = this->store_->DeleteExpiredSessions(T(500));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2);  // s-c and s-b (expiring exactly now)
  EXPECT_EQ(*this->store_->DeleteExpiredSessions(T(500)), 0);
  sessions = this->store_->LoadSessions(T(0));
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].id, "s-a");
  EXPECT_EQ(this->AllAudit().size(), events);  // not audited

  // The hash of an expired, deleted session is free again.
  EXPECT_TRUE(this->store_->InsertSession(Session("s-d", "u-a", "hb"), Audit("l", "s", "d")).ok());
}

TYPED_TEST(AccountStoreTest, SessionsGuardIdHashAndOwner) {
  this->InsertUser("u-a", "alice");
  ASSERT_TRUE(this->store_->InsertSession(Session("s-a", "u-a", "ha"), Audit("l", "s", "a")).ok());
  absl::Status same_hash =
      this->store_->InsertSession(Session("s-b", "u-a", "ha"), Audit("l", "s", "b"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_hash)) << same_hash;
  EXPECT_NE(same_hash.message().find("hash is taken"), std::string::npos) << same_hash;
  absl::Status same_id =
      this->store_->InsertSession(Session("s-a", "u-a", "hb"), Audit("l", "s", "a"));
  EXPECT_TRUE(absl::IsAlreadyExists(same_id)) << same_id;
  absl::Status no_owner =
      this->store_->InsertSession(Session("s-c", "u-gone", "hc"), Audit("l", "s", "c"));
  EXPECT_TRUE(absl::IsNotFound(no_owner)) << no_owner;
  EXPECT_NE(no_owner.message().find("user 'u-gone'"), std::string::npos) << no_owner;

  ASSERT_TRUE(this->store_->DeleteSession("s-a", Audit("session.logout", "session", "s-a")).ok());
  absl::Status again = this->store_->DeleteSession("s-a", Audit("session.logout", "session", "s-a"));
  EXPECT_TRUE(absl::IsNotFound(again)) << again;
  EXPECT_TRUE(this->store_->LoadSessions(T(0))->empty());
}

}  // namespace
}  // namespace uptime::testing
