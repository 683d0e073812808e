// AccountStore contract, run against the in-memory and PostgreSQL stores.
#include "store/account_store.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_account_store.h"
#include "store/postgres/pg_account_store.h"
#include "store/testing/store_contract_test.h"
#include "store/testing/store_test_env.h"

namespace uptime::testing {
namespace {

using store::AuditPage;
using store::AuditQuery;
using store::StoredApiKey;
using store::StoredSession;
using store::StoredUser;

// Whole seconds: PostgreSQL keeps microseconds, and these compare exactly.
absl::Time T(int64_t seconds) { return absl::FromUnixSeconds(1'700'000'000 + seconds); }

// A user using every stored field, with text that needs escaping.
StoredUser User(const std::string& id, const std::string& username) {
  StoredUser u;
  u.user.set_id(id);
  u.user.set_username(username);
  u.user.set_display_name("Ünïcode \"O'Brien\" \\ \n");
  u.user.set_role(v1::ROLE_EDITOR);
  u.user.set_disabled(true);
  ToProto(T(1), u.user.mutable_create_time());
  ToProto(T(2), u.user.mutable_update_time());
  ToProto(T(3), u.user.mutable_last_login_time());
  u.user.set_totp_enabled(true);
  u.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";
  u.totp_secret = "JBSWY3DPEHPK3PXP";
  return u;
}

StoredApiKey Key(const std::string& id, const std::string& user_id, const std::string& hash) {
  StoredApiKey k;
  k.key.set_id(id);
  k.key.set_user_id(user_id);
  k.key.set_username("alice");
  k.key.set_name("ci \"deploy\"");
  k.key.set_role(v1::ROLE_VIEWER);
  ToProto(T(1000), k.key.mutable_expire_time());
  ToProto(T(4), k.key.mutable_create_time());
  ToProto(T(5), k.key.mutable_last_used_time());
  k.key.set_prefix("uk_AbCd");
  k.key_hash = hash;
  return k;
}

StoredSession Session(const std::string& id, const std::string& user_id, const std::string& hash,
                      absl::Time expire = T(1000)) {
  return StoredSession{.id = id,
                       .token_hash = hash,
                       .user_id = user_id,
                       .create_time = T(10),
                       .last_seen_time = T(11),
                       .expire_time = expire,
                       .client_address = "203.0.113.7:51234"};
}

// An event using every field; `id` is the store's to assign.
v1::AuditEvent Audit(const std::string& action, const std::string& resource_type,
                     const std::string& resource_id, const std::string& actor = "admin") {
  v1::AuditEvent e;
  e.set_id(999);  // ignored
  ToProto(T(20), e.mutable_time());
  e.set_actor(actor);
  e.set_actor_user_id("u-admin");
  e.set_credential("api_key:k-0001");
  e.set_action(action);
  e.set_resource_type(resource_type);
  e.set_resource_id(resource_id);
  e.set_before_json(R"({"name":"old \"x\""})");
  e.set_after_json(R"({"name":"new","secret":"[redacted]"})");
  e.set_client_address("198.51.100.1");
  return e;
}

template <typename Backend>
class AccountStoreTest : public StoreContractTest<Backend, store::AccountStore,
                                                  store::MemoryAccountStore,
                                                  store::PgAccountStore> {
 protected:
  // The whole log, newest first.
  std::vector<v1::AuditEvent> AllAudit() {
    absl::StatusOr<AuditPage> page = this->store_->ListAudit({.page_size = 1000});
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {};
    EXPECT_TRUE(page->next_page_token.empty());
    return page->events;
  }

  // Asserts the log grew by exactly `audit` since it held `before` events,
  // and returns the id it was given.
  int64_t ExpectOneNewEvent(size_t before, const v1::AuditEvent& audit) {
    std::vector<v1::AuditEvent> all = AllAudit();
    EXPECT_EQ(all.size(), before + 1);
    if (all.size() != before + 1) return 0;
    v1::AuditEvent expected = audit;
    expected.set_id(all[0].id());
    EXPECT_TRUE(ProtoEq(expected, all[0]));
    if (before > 0) {
      EXPECT_GT(all[0].id(), all[1].id());
    }
    return all[0].id();
  }

  void InsertUser(const std::string& id, const std::string& username) {
    absl::Status s =
        this->store_->InsertUser(User(id, username), Audit("user.create", "user", id));
    ASSERT_TRUE(s.ok()) << s;
  }
};

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

TYPED_TEST(AccountStoreTest, EveryWriteLeavesExactlyOneAuditEventWithItsFields) {
  store::AccountStore& s = *this->store_;
  std::vector<int64_t> ids;
  auto expect = [&](const absl::Status& status, const v1::AuditEvent& audit) {
    ASSERT_TRUE(status.ok()) << status;
    ids.push_back(this->ExpectOneNewEvent(ids.size(), audit));
  };
  v1::AuditEvent e = Audit("user.create", "user", "u-a", "root");
  expect(s.InsertUser(User("u-a", "alice"), e), e);
  e = Audit("user.update", "user", "u-a");
  e.clear_time();
  e.clear_before_json();
  expect(s.UpdateUser(User("u-a", "alice"), false, e), e);
  e = Audit("user.update", "user", "u-a", "bob");
  expect(s.UpdateUser(User("u-a", "alice"), true, e), e);
  e = Audit("api_key.create", "api_key", "k-1");
  expect(s.InsertApiKey(Key("k-1", "u-a", "h"), e), e);
  e = Audit("api_key.revoke", "api_key", "k-1");
  expect(s.DeleteApiKey("k-1", e), e);
  e = Audit("session.login", "session", "s-1");
  expect(s.InsertSession(Session("s-1", "u-a", "h"), e), e);
  e = Audit("session.logout", "session", "s-1");
  expect(s.DeleteSession("s-1", e), e);
  e = Audit("session.login_failed", "session", "");
  e.set_actor("anonymous");
  e.clear_actor_user_id();
  e.clear_credential();
  expect(s.AppendAudit(e), e);
  e = Audit("user.delete", "user", "u-a");
  expect(s.DeleteUser("u-a", e), e);
  e = v1::AuditEvent();  // an empty event is still a record
  expect(s.AppendAudit(e), e);
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
}

TYPED_TEST(AccountStoreTest, FailedWritesLeaveNoAuditEvent) {
  store::AccountStore& s = *this->store_;
  this->InsertUser("u-a", "alice");
  ASSERT_TRUE(s.InsertApiKey(Key("k-1", "u-a", "kh"), Audit("c", "api_key", "k-1")).ok());
  ASSERT_TRUE(s.InsertSession(Session("s-1", "u-a", "sh"), Audit("l", "session", "s-1")).ok());
  const std::vector<v1::AuditEvent> before = this->AllAudit();
  ASSERT_EQ(before.size(), 3u);

  const v1::AuditEvent e = Audit("should.not.appear", "x", "y");
  EXPECT_TRUE(absl::IsAlreadyExists(s.InsertUser(User("u-b", "Alice"), e)));
  EXPECT_TRUE(absl::IsAlreadyExists(s.InsertUser(User("u-a", "other"), e)));
  EXPECT_TRUE(absl::IsNotFound(s.UpdateUser(User("u-x", "x"), true, e)));
  EXPECT_TRUE(absl::IsInvalidArgument(s.UpdateUser(User("u-a", "renamed"), true, e)));
  EXPECT_TRUE(absl::IsNotFound(s.DeleteUser("u-x", e)));
  EXPECT_TRUE(absl::IsAlreadyExists(s.InsertApiKey(Key("k-2", "u-a", "kh"), e)));
  EXPECT_TRUE(absl::IsAlreadyExists(s.InsertApiKey(Key("k-1", "u-a", "kh2"), e)));
  EXPECT_TRUE(absl::IsNotFound(s.InsertApiKey(Key("k-2", "u-x", "kh2"), e)));
  EXPECT_TRUE(absl::IsNotFound(s.DeleteApiKey("k-x", e)));
  EXPECT_TRUE(absl::IsAlreadyExists(s.InsertSession(Session("s-2", "u-a", "sh"), e)));
  EXPECT_TRUE(absl::IsAlreadyExists(s.InsertSession(Session("s-1", "u-a", "sh2"), e)));
  EXPECT_TRUE(absl::IsNotFound(s.InsertSession(Session("s-2", "u-x", "sh2"), e)));
  EXPECT_TRUE(absl::IsNotFound(s.DeleteSession("s-x", e)));

  const std::vector<v1::AuditEvent> after = this->AllAudit();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_TRUE(ProtoEq(before[i], after[i]));
  // Nor any change: the failed renaming update ended no session.
  EXPECT_EQ(s.LoadSessions(T(0))->size(), 1u);
  EXPECT_EQ(s.LoadApiKeys()->size(), 1u);
  EXPECT_EQ(s.LoadUsers()->size(), 1u);
}

TYPED_TEST(AccountStoreTest, ListAuditPagesNewestFirstWithFilters) {
  // Seven events: monitors m-1 / m-2 by two actors, and one user change.
  const std::vector<v1::AuditEvent> events = {
      Audit("monitor.create", "monitor", "m-1", "alice"),
      Audit("monitor.create", "monitor", "m-2", "bob"),
      Audit("monitor.update", "monitor", "m-1", "bob"),
      Audit("user.create", "user", "m-1", "alice"),  // same id, other type
      Audit("monitor.update", "monitor", "m-1", "alice"),
      Audit("monitor.delete", "monitor", "m-2", "alice"),
      Audit("monitor.update", "monitor", "m-1", "alice"),
  };
  for (const v1::AuditEvent& e : events) ASSERT_TRUE(this->store_->AppendAudit(e).ok());

  // Walks every page of `query`, returning the actions seen, newest first.
  auto walk = [&](AuditQuery query, size_t* pages) {
    std::vector<std::string> seen;
    *pages = 0;
    int64_t last_id = 0;
    do {
      absl::StatusOr<AuditPage> page = this->store_->ListAudit(query);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      ++*pages;
      EXPECT_LE(page->events.size(), static_cast<size_t>(query.page_size));
      for (const v1::AuditEvent& e : page->events) {
        if (last_id != 0) {
          EXPECT_LT(e.id(), last_id);
        }
        last_id = e.id();
        seen.push_back(absl::StrCat(e.action(), "/", e.resource_id(), "/", e.actor()));
      }
      query.page_token = page->next_page_token;
    } while (!query.page_token.empty() && *pages < 20);
    return seen;
  };

  size_t pages = 0;
  std::vector<std::string> all = walk({.page_size = 3}, &pages);
  EXPECT_EQ(pages, 3u);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all.front(), "monitor.update/m-1/alice");
  EXPECT_EQ(all.back(), "monitor.create/m-1/alice");

  // An exact page count ends without an empty extra page.
  EXPECT_EQ(walk({.page_size = 7}, &pages).size(), 7u);
  EXPECT_EQ(pages, 1u);

  std::vector<std::string> m1 =
      walk({.page_size = 2, .resource_type = "monitor", .resource_id = "m-1"}, &pages);
  EXPECT_EQ(m1, (std::vector<std::string>{"monitor.update/m-1/alice", "monitor.update/m-1/alice",
                                          "monitor.update/m-1/bob", "monitor.create/m-1/alice"}));
  EXPECT_EQ(pages, 2u);
  std::vector<std::string> by_bob = walk({.page_size = 1, .actor = "bob"}, &pages);
  EXPECT_EQ(by_bob,
            (std::vector<std::string>{"monitor.update/m-1/bob", "monitor.create/m-2/bob"}));
  EXPECT_EQ(walk({.page_size = 10, .resource_type = "user"}, &pages).size(), 1u);
  EXPECT_EQ(walk({.page_size = 10, .resource_id = "m-1"}, &pages).size(), 5u);
  EXPECT_EQ(walk({.page_size = 10, .resource_id = "m-2", .actor = "alice"}, &pages),
            (std::vector<std::string>{"monitor.delete/m-2/alice"}));
  EXPECT_TRUE(walk({.page_size = 10, .actor = "nobody"}, &pages).empty());

  for (const std::string bad : {"junk!", "LTE", "MA", "eA==", "MTIzYWJj", "%%%"}) {
    absl::StatusOr<AuditPage> page = this->store_->ListAudit({.page_size = 3, .page_token = bad});
    EXPECT_TRUE(absl::IsInvalidArgument(page.status())) << bad << ": " << page.status();
    EXPECT_NE(page.status().message().find("page_token"), std::string::npos) << page.status();
  }
}

TEST(MemoryAccountStoreTest, KeepsOnlyTheNewestAuditEvents) {
  store::MemoryAccountStore store(/*max_audit_events=*/3);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store.AppendAudit(Audit("a", "t", absl::StrCat(i))).ok());
  }
  absl::StatusOr<AuditPage> page = store.ListAudit({.page_size = 2});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->events[0].resource_id(), "4");
  EXPECT_EQ(page->events[0].id(), 5);
  page = store.ListAudit({.page_size = 2, .page_token = page->next_page_token});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].resource_id(), "2");
  EXPECT_TRUE(page->next_page_token.empty());
}

}  // namespace
}  // namespace uptime::testing
