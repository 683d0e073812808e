// Test support for the stores' audit contract: every write records the
// event it is given, in the same transaction; a failed write records none.
//
// TestAuditLog is the log a backend's stores write to: a MemoryAccountStore
// handed to the memory stores, or the `audit_events` table of the test's
// PostgreSQL database (read through a PgAccountStore).
//
// Example:
//   TestAuditLog log = NewTestAuditLog(backend);
//   store::MemoryCatalogStore catalog(log.store.get());
//   ASSERT_TRUE(catalog.InsertMonitor(m, TestAuditEvent("monitor.create", "monitor", id)).ok());
//   std::vector<v1::AuditEvent> events = log.Events();
#ifndef UPTIME_STORE_TESTING_TEST_AUDIT_LOG_H_
#define UPTIME_STORE_TESTING_TEST_AUDIT_LOG_H_

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "store/account_store.h"
#include "store/memory/memory_account_store.h"
#include "store/postgres/pg_account_store.h"
#include "store/testing/store_test_env.h"
#include "uptime/v1/audit.pb.h"

namespace uptime::testing {

struct TestAuditLog {
  std::unique_ptr<store::AccountStore> store;

  // Every event in the log, oldest first (fails the test on a read error).
  std::vector<v1::AuditEvent> Events() const {
    absl::StatusOr<store::AuditPage> page = store->ListAudit({.page_size = 1000});
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {};
    std::vector<v1::AuditEvent> events = std::move(page->events);
    std::reverse(events.begin(), events.end());
    return events;
  }
};

inline TestAuditLog NewTestAuditLog(MemoryBackend&) {
  return {std::make_unique<store::MemoryAccountStore>()};
}
inline TestAuditLog NewTestAuditLog(PostgresBackend& backend) {
  return {std::make_unique<store::PgAccountStore>(backend.pool.get())};
}

// Sets up `backend` and drops its `audit_events` table, so that every
// audited write's record fails: what the PostgreSQL stores' one-transaction
// guarantee is tested against.
inline absl::Status SetUpWithoutAuditLog(PostgresBackend& backend) {
  if (absl::Status up = backend.SetUp(); !up.ok()) return up;
  absl::StatusOr<store::PgLease> lease = backend.pool->Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->ExecScript("DROP TABLE audit_events");
}

// An event as the API layer would complete it, with every field set (whole
// seconds: PostgreSQL keeps microseconds).
inline v1::AuditEvent TestAuditEvent(absl::string_view action, absl::string_view resource_type,
                                     absl::string_view resource_id) {
  v1::AuditEvent e;
  ToProto(absl::FromUnixSeconds(1'700'000'500), e.mutable_time());
  e.set_actor("alice");
  e.set_actor_user_id("u-0000000000000001");
  e.set_credential("session");
  e.set_action(std::string(action));
  e.set_resource_type(std::string(resource_type));
  e.set_resource_id(std::string(resource_id));
  e.set_before_json(R"({"name":"before"})");
  e.set_after_json(R"({"name":"after"})");
  e.set_client_address("ipv4:192.0.2.7:5555");
  return e;
}

// An event for tests that need one but do not look at it.
inline v1::AuditEvent AnyAuditEvent() { return TestAuditEvent("test.write", "test", "x"); }

// `actual` equals `expected` apart from the id the log assigned.
inline ::testing::AssertionResult SameAuditEvent(const v1::AuditEvent& expected,
                                                 const v1::AuditEvent& actual) {
  v1::AuditEvent without_id = actual;
  without_id.clear_id();
  if (actual.id() <= 0) return ::testing::AssertionFailure() << "no id assigned";
  return ProtoEq(expected, without_id);
}

}  // namespace uptime::testing

#endif  // UPTIME_STORE_TESTING_TEST_AUDIT_LOG_H_
