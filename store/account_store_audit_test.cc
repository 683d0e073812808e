// AccountStore contract, run against the in-memory and PostgreSQL stores: the
// audit event every write leaves (and a failed one does not), and listing the
// log in pages with filters.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/account_store.h"
#include "store/memory/memory_account_store.h"
#include "store/testing/account_store_test_fixture.h"

namespace uptime::testing {
namespace {

using store::AuditPage;
using store::AuditQuery;

TYPED_TEST_SUITE(AccountStoreTest, StoreBackends, BackendNames);

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
