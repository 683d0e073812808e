// IncidentStore contract, run against the in-memory and PostgreSQL stores.
#include "store/incident_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_incident_store.h"
#include "store/postgres/pg_incident_store.h"
#include "store/testing/store_contract_test.h"
#include "store/testing/store_test_env.h"

namespace uptime::testing {
namespace {

using store::IncidentPage;
using store::OpenedIncident;
using store::OutboxEntry;
using store::OutboxRow;

const absl::Time kNow = absl::FromUnixSeconds(1'710'000'000);

v1::Incident NewIncident(const std::string& monitor, absl::Time started,
                         const std::string& id = "") {
  v1::Incident incident;
  incident.set_id(id);
  incident.set_monitor_id(monitor);
  ToProto(started, incident.mutable_started());
  incident.set_cause("status: HTTP 503 from eu-west");
  return incident;
}

template <typename Backend>
class IncidentStoreTest : public StoreContractTest<Backend, store::IncidentStore,
                                                   store::MemoryIncidentStore,
                                                   store::PgIncidentStore> {
 protected:
  IncidentStoreTest() : IncidentStoreTest::StoreContractTest(kNow) {}

  v1::Incident Open(const v1::Incident& incident, std::vector<OutboxRow> outbox = {}) {
    absl::StatusOr<OpenedIncident> opened = this->store_->OpenIncident(incident, outbox);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? opened->incident : v1::Incident();
  }

  std::vector<OutboxEntry> Claim(absl::Time now, int limit = 100) {
    absl::StatusOr<std::vector<OutboxEntry>> due =
        this->store_->ClaimDue(now, limit, absl::Minutes(1));
    EXPECT_TRUE(due.ok()) << due.status();
    return due.ok() ? *due : std::vector<OutboxEntry>();
  }
};

TYPED_TEST_SUITE(IncidentStoreTest, StoreBackends, BackendNames);

TYPED_TEST(IncidentStoreTest, OpenIsIdempotentPerMonitor) {
  absl::StatusOr<OpenedIncident> first = this->store_->OpenIncident(
      NewIncident("mon-1", kNow), {{"down", "ch-1", R"({"text": "down"})", kNow}});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_TRUE(absl::StartsWith(first->incident.id(), "inc-"));
  EXPECT_FALSE(first->incident.has_resolved());
  EXPECT_EQ(FromProto(first->incident.started()), kNow);

  // Re-opening (a retry, or a second leader) returns the same incident and
  // does not duplicate its alert.
  absl::StatusOr<OpenedIncident> again = this->store_->OpenIncident(
      NewIncident("mon-1", kNow + absl::Seconds(5)),
      {{"down", "ch-1", R"({"text": "down"})", kNow}});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_TRUE(ProtoEq(first->incident, again->incident));
  EXPECT_EQ(this->Claim(kNow).size(), 1u);
}

TYPED_TEST(IncidentStoreTest, CloseResolvesOnceAndQueuesRecovery) {
  const v1::Incident open = this->Open(NewIncident("mon-1", kNow, "inc-1"));
  EXPECT_EQ(open.id(), "inc-1");
  absl::StatusOr<v1::Incident> closed = this->store_->CloseIncident(
      "inc-1", kNow + absl::Minutes(3), {{"recovered", "ch-1", "{}", kNow + absl::Minutes(3)}});
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(FromProto(closed->resolved()), kNow + absl::Minutes(3));
  // Closing again keeps the first resolution time.
  closed = this->store_->CloseIncident("inc-1", kNow + absl::Minutes(9), {});
  EXPECT_EQ(FromProto(closed->resolved()), kNow + absl::Minutes(3));
  EXPECT_TRUE(absl::IsNotFound(this->store_->CloseIncident("inc-x", kNow, {}).status()));

  // After closing, the monitor can have a new incident.
  absl::StatusOr<OpenedIncident> next =
      this->store_->OpenIncident(NewIncident("mon-1", kNow + absl::Minutes(10)), {});
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->created);
  EXPECT_NE(next->incident.id(), "inc-1");
}

TYPED_TEST(IncidentStoreTest, ListPagesNewestFirstWithFilters) {
  for (int i = 0; i < 7; ++i) {
    const std::string monitor = i % 2 == 0 ? "mon-even" : "mon-odd";
    const v1::Incident open =
        this->Open(NewIncident(monitor, kNow + absl::Minutes(i), absl::StrCat("inc-", i)));
    if (i < 5) {
      ASSERT_TRUE(this->store_->CloseIncident(open.id(), kNow + absl::Hours(1), {}).ok());
    }
  }
  std::vector<std::string> ids;
  store::IncidentQuery query{.page_size = 3};
  for (int pages = 0; pages < 10; ++pages) {
    absl::StatusOr<IncidentPage> page = this->store_->ListIncidents(query);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& incident : page->incidents) ids.push_back(incident.id());
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"inc-6", "inc-5", "inc-4", "inc-3", "inc-2", "inc-1",
                                           "inc-0"}));

  absl::StatusOr<IncidentPage> open = this->store_->ListIncidents({.open_only = true});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->incidents.size(), 2u);
  EXPECT_EQ(open->incidents[0].id(), "inc-6");
  absl::StatusOr<IncidentPage> odd = this->store_->ListIncidents({.monitor_id = "mon-odd"});
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->incidents.size(), 3u);
  EXPECT_TRUE(absl::IsInvalidArgument(
      this->store_->ListIncidents({.page_token = "not base64!"}).status()));
}

TYPED_TEST(IncidentStoreTest, OutboxClaimSendAndRetry) {
  const v1::Incident incident = this->Open(
      NewIncident("mon-1", kNow),
      {{"down", "ch-1", R"({"a": "b"})", kNow}, {"down", "ch-2", "{}", kNow + absl::Minutes(5)}});
  ASSERT_TRUE(
      this->store_->EnqueueAlerts(incident.id(), {{"renotify:1", "ch-1", "{}", kNow}}).ok());

  std::vector<OutboxEntry> due = this->Claim(kNow);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].kind, "down");
  EXPECT_EQ(due[0].channel_id, "ch-1");
  EXPECT_EQ(due[0].payload_json, R"({"a": "b"})");
  EXPECT_EQ(due[0].incident_id, incident.id());
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(due[0].created, kNow);
  EXPECT_EQ(due[1].kind, "renotify:1");
  // Claimed rows are leased: not handed out again until the lease ends.
  EXPECT_TRUE(this->Claim(kNow + absl::Seconds(30)).empty());

  ASSERT_TRUE(this->store_->MarkSent(due[0].id, kNow + absl::Seconds(1)).ok());
  ASSERT_TRUE(this->store_->MarkSent(due[0].id, kNow + absl::Seconds(2)).ok());  // idempotent
  ASSERT_TRUE(this->store_->MarkFailed(due[1].id, "HTTP 500", kNow + absl::Minutes(2)).ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->MarkSent(999999, kNow)));
  EXPECT_TRUE(absl::IsNotFound(this->store_->MarkFailed(999999, "x", kNow)));

  // At +5m: the ch-2 alert is due and the failed re-notify is due again.
  due = this->Claim(kNow + absl::Minutes(5));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].kind, "renotify:1");
  EXPECT_EQ(due[0].attempts, 2);
  EXPECT_EQ(due[0].last_error, "HTTP 500");
  EXPECT_EQ(due[1].channel_id, "ch-2");

  absl::StatusOr<IncidentPage> listed = this->store_->ListIncidents({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->incidents[0].alerts_sent(), 1);
}

TYPED_TEST(IncidentStoreTest, AlertsAlreadySentAreRecordedNotClaimed) {
  const v1::Incident incident = this->Open(
      NewIncident("mon-1", kNow), {{"down", "ch-1", "{}", kNow, kNow + absl::Seconds(1)}});
  EXPECT_EQ(incident.alerts_sent(), 1);
  EXPECT_TRUE(this->Claim(kNow + absl::Hours(1)).empty());
}

TYPED_TEST(IncidentStoreTest, FindsOutboxRowsByKey) {
  const v1::Incident incident =
      this->Open(NewIncident("mon-1", kNow), {{"down", "ch-1", "{}", kNow}});
  absl::StatusOr<int64_t> id = this->store_->FindOutboxRow(incident.id(), "down", "ch-1");
  ASSERT_TRUE(id.ok()) << id.status();
  std::vector<OutboxEntry> due = this->Claim(kNow);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, *id);
  ASSERT_TRUE(this->store_->MarkSent(*id, kNow).ok());
  // Sent rows are still found: the key is what makes an alert once-only.
  EXPECT_TRUE(this->store_->FindOutboxRow(incident.id(), "down", "ch-1").ok());
  EXPECT_TRUE(absl::IsNotFound(this->store_->FindOutboxRow(incident.id(), "down", "ch-2").status()));
  EXPECT_TRUE(
      absl::IsNotFound(this->store_->FindOutboxRow(incident.id(), "recovered", "ch-1").status()));
}

TYPED_TEST(IncidentStoreTest, ClaimRespectsLimit) {
  const v1::Incident incident = this->Open(NewIncident("mon-1", kNow));
  std::vector<OutboxRow> rows;
  for (int i = 0; i < 5; ++i) rows.push_back({"down", absl::StrCat("ch-", i), "{}", kNow});
  ASSERT_TRUE(this->store_->EnqueueAlerts(incident.id(), rows).ok());
  EXPECT_EQ(this->Claim(kNow, 3).size(), 3u);
  EXPECT_EQ(this->Claim(kNow, 3).size(), 2u);
}

TYPED_TEST(IncidentStoreTest, StatesRoundTrip) {
  v1::MonitorStatus down;
  down.set_monitor_id("mon-1");
  down.set_state(v1::STATE_DOWN);
  ToProto(kNow, down.mutable_since());
  down.set_consecutive_failures(4);
  down.set_open_incident_id("inc-1");
  down.mutable_last_result()->set_monitor_id("mon-1");
  down.mutable_last_result()->set_error_message("timeout \\ \"x\"");
  v1::MonitorStatus pending;
  pending.set_monitor_id("mon-2");
  pending.set_state(v1::STATE_PENDING);
  pending.set_monitor_name("not stored");

  ASSERT_TRUE(this->store_->SaveStates({pending, down}).ok());
  down.set_consecutive_failures(5);
  ASSERT_TRUE(this->store_->SaveStates({down}).ok());
  absl::StatusOr<std::vector<v1::MonitorStatus>> states = this->store_->LoadStates();
  ASSERT_TRUE(states.ok()) << states.status();
  ASSERT_EQ(states->size(), 2u);
  EXPECT_TRUE(ProtoEq(down, (*states)[0]));
  pending.clear_monitor_name();
  EXPECT_TRUE(ProtoEq(pending, (*states)[1]));

  ASSERT_TRUE(this->store_->DeleteStates({"mon-1"}).ok());
  EXPECT_EQ(this->store_->LoadStates()->size(), 1u);
}

}  // namespace
}  // namespace uptime::testing
