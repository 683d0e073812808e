// Shared fixture of the AccountStore contract tests (account_store_test.cc,
// account_store_audit_test.cc): records that use every stored field, with
// text that needs escaping, and the typed fixture with audit log helpers.
// Not in an anonymous namespace: one typed suite spans both files, and
// gtest requires its fixture to be the same type in each.
#ifndef UPTIME_STORE_TESTING_ACCOUNT_STORE_TEST_FIXTURE_H_
#define UPTIME_STORE_TESTING_ACCOUNT_STORE_TEST_FIXTURE_H_

#include <string>
#include <vector>

#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/account_store.h"
#include "store/memory/memory_account_store.h"
#include "store/postgres/pg_account_store.h"
#include "store/testing/store_contract_test.h"
#include "store/testing/store_test_env.h"

namespace uptime::testing {

// Whole seconds: PostgreSQL keeps microseconds, and these compare exactly.
inline absl::Time T(int64_t seconds) { return absl::FromUnixSeconds(1'700'000'000 + seconds); }

// A user using every stored field, with text that needs escaping.
inline store::StoredUser User(const std::string& id, const std::string& username) {
  store::StoredUser u;
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

inline store::StoredApiKey Key(const std::string& id, const std::string& user_id,
                               const std::string& hash) {
  store::StoredApiKey k;
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

inline store::StoredSession Session(const std::string& id, const std::string& user_id,
                                    const std::string& hash, absl::Time expire = T(1000)) {
  return store::StoredSession{.id = id,
                              .token_hash = hash,
                              .user_id = user_id,
                              .create_time = T(10),
                              .last_seen_time = T(11),
                              .expire_time = expire,
                              .client_address = "203.0.113.7:51234"};
}

// An event using every field; `id` is the store's to assign.
inline v1::AuditEvent Audit(const std::string& action, const std::string& resource_type,
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
class AccountStoreTest
    : public StoreContractTest<Backend, store::AccountStore, store::MemoryAccountStore,
                               store::PgAccountStore> {
 protected:
  // The whole log, newest first.
  std::vector<v1::AuditEvent> AllAudit() {
    absl::StatusOr<store::AuditPage> page = this->store_->ListAudit({.page_size = 1000});
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
    absl::Status s = this->store_->InsertUser(User(id, username), Audit("user.create", "user", id));
    ASSERT_TRUE(s.ok()) << s;
  }
};

}  // namespace uptime::testing

#endif  // UPTIME_STORE_TESTING_ACCOUNT_STORE_TEST_FIXTURE_H_
