// Test support for the registries' audit records: a `who` as the API layer
// builds it, and the log the memory stores append to.
//
// Example:
//   store::MemoryAccountStore log;
//   store::MemoryCatalogStore store(&log);
//   Catalog catalog(&clock, &store);
//   ASSERT_TRUE(catalog.Create(monitor, TestWho()).ok());
//   std::vector<v1::AuditEvent> events = AuditEvents(log);
#ifndef UPTIME_COORDINATOR_CATALOG_AUDIT_TEST_SUPPORT_H_
#define UPTIME_COORDINATOR_CATALOG_AUDIT_TEST_SUPPORT_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/proto_time.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "store/memory/memory_account_store.h"
#include "uptime/v1/audit.pb.h"

namespace uptime::coordinator {

// Who and when, filled in as AuditTemplate does for a signed-in user.
inline v1::AuditEvent TestWho() {
  v1::AuditEvent who;
  ToProto(absl::FromUnixSeconds(1'700'000'000), who.mutable_time());
  who.set_actor("alice");
  who.set_actor_user_id("u-00000000000000a1");
  who.set_credential("session");
  who.set_client_address("ipv4:192.0.2.1:4242");
  return who;
}

// Every event in `log`, oldest first.
inline std::vector<v1::AuditEvent> AuditEvents(store::AccountStore& log) {
  absl::StatusOr<store::AuditPage> page = log.ListAudit({.page_size = 1000});
  EXPECT_TRUE(page.ok()) << page.status();
  if (!page.ok()) return {};
  std::vector<v1::AuditEvent> events = std::move(page->events);
  std::reverse(events.begin(), events.end());
  return events;
}

// OK when `event` has TestWho()'s who and when.
inline ::testing::AssertionResult HasTestWho(const v1::AuditEvent& event) {
  const v1::AuditEvent who = TestWho();
  if (event.actor() != who.actor() || event.actor_user_id() != who.actor_user_id() ||
      event.credential() != who.credential() || event.client_address() != who.client_address() ||
      event.time().seconds() != who.time().seconds()) {
    return ::testing::AssertionFailure() << "who/when lost: " << event.DebugString();
  }
  return ::testing::AssertionSuccess();
}

// `json` (an audit before/after) parsed as a T; fails the test if it does not parse.
template <typename T>
T FromAuditJson(const std::string& json) {
  T out;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &out);
  EXPECT_TRUE(status.ok()) << status.ToString() << ": " << json;
  return out;
}

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_AUDIT_TEST_SUPPORT_H_
