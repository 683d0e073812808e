// AlertScheduler over a real catalog and status tracker, the in-memory
// outbox, and a SimulatedClock: re-notifications and TLS warnings are
// enqueued once each, also across a restart of the scheduler.
#include "coordinator/alerting/alert_scheduler.h"

#include "absl/strings/match.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_catalog_store.h"
#include "store/catalog_store.h"
#include "store/memory/memory_incident_store.h"

namespace uptime::coordinator {
namespace {

class AlertSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override { catalog_.AddListener(&tracker_); }

  std::string AddMonitor(absl::Duration renotify, int tls_days) {
    v1::Monitor m;
    m.set_name("api");
    m.mutable_http()->set_url("https://api.example.com/health");
    m.add_channel_ids("ch-1");
    m.add_channel_ids("ch-2");
    ToProto(renotify, m.mutable_renotify_interval());
    m.set_tls_expiry_warning_days(tls_days);
    absl::StatusOr<MonitorPtr> created = catalog_.Create(m, v1::AuditEvent());
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? (*created)->id() : "";
  }

  void Result(const std::string& id, bool success, absl::Time expiry = absl::InfinitePast()) {
    v1::CheckResult r;
    r.set_monitor_id(id);
    r.set_location("eu-west");
    r.set_start_time_us(absl::ToUnixMicros(clock_.Now()));
    r.set_success(success);
    if (!success) {
      r.set_error_kind(v1::ERROR_KIND_STATUS);
      r.set_error_message("HTTP 503");
    }
    if (expiry != absl::InfinitePast()) r.set_tls_cert_expiry_unix(absl::ToUnixSeconds(expiry));
    tracker_.Ingest({r});
  }

  // Unsent outbox rows (claimed, so each call sees only new ones).
  std::vector<store::OutboxEntry> NewRows() {
    auto rows = incidents_.ClaimDue(clock_.Now(), 1000, absl::Hours(24 * 365));
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::OutboxEntry>();
  }

  std::unique_ptr<AlertScheduler> NewScheduler() {
    return std::make_unique<AlertScheduler>(&clock_, &catalog_, &tracker_, &incidents_, &sender_,
                                            AlertSchedulerOptions{.dashboard_url = "https://u"});
  }

  SimulatedClock clock_;
  store::MemoryCatalogStore catalog_store_;
  Catalog catalog_{&clock_, &catalog_store_};
  EventBus events_;
  StatusTracker tracker_{&clock_, &events_, nullptr};
  store::MemoryIncidentStore incidents_{&clock_};
  notifiers::NotifierRegistry registry_;
  ChannelRegistry channels_{&clock_, &catalog_store_, &registry_,
                            notifiers::NotifierDeps{.clock = &clock_, .timeout = absl::Seconds(5), .ca_file = {}},
                            nullptr};
  AlertSender sender_{&clock_, &incidents_, &channels_, nullptr};
};

TEST_F(AlertSchedulerTest, StillDownIsRenotifiedOncePerInterval) {
  const std::string id = AddMonitor(absl::Minutes(5), 0);
  Result(id, false);
  ASSERT_EQ(tracker_.Get(id)->state(), v1::STATE_DOWN);
  auto scheduler = NewScheduler();
  scheduler->RunOnce();
  EXPECT_TRUE(NewRows().empty());  // not down for 5 minutes yet

  clock_.Advance(absl::Minutes(5));
  scheduler->RunOnce();
  std::vector<store::OutboxEntry> rows = NewRows();
  ASSERT_EQ(rows.size(), 2u);  // one per channel
  EXPECT_EQ(rows[0].kind, "renotify:1");
  EXPECT_EQ(rows[0].incident_id, tracker_.Get(id)->open_incident_id());
  EXPECT_TRUE(absl::StrContains(rows[0].payload_json, "\"still_down\"")) << rows[0].payload_json;
  EXPECT_TRUE(absl::StrContains(rows[0].payload_json, "HTTP 503")) << rows[0].payload_json;

  clock_.Advance(absl::Minutes(4));
  scheduler->RunOnce();
  EXPECT_TRUE(NewRows().empty());
  // A restarted scheduler (a new leader) knows nothing, and adds nothing.
  scheduler = NewScheduler();
  scheduler->RunOnce();
  EXPECT_TRUE(NewRows().empty());

  clock_.Advance(absl::Minutes(1));
  scheduler->RunOnce();
  rows = NewRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, "renotify:2");

  // Recovered: no more re-notifications.
  Result(id, true);
  clock_.Advance(absl::Minutes(30));
  scheduler->RunOnce();
  EXPECT_TRUE(NewRows().empty());
}

TEST_F(AlertSchedulerTest, NoRenotifyWhenDisabled) {
  const std::string id = AddMonitor(absl::ZeroDuration(), 0);
  Result(id, false);
  auto scheduler = NewScheduler();
  clock_.Advance(absl::Hours(10));
  scheduler->RunOnce();
  EXPECT_TRUE(NewRows().empty());
}

TEST_F(AlertSchedulerTest, ExpiringCertificateIsWarnedOncePerCertificate) {
  const std::string id = AddMonitor(absl::ZeroDuration(), 14);
  auto scheduler = NewScheduler();
  Result(id, true, clock_.Now() + absl::Hours(24 * 30));
  scheduler->RunOnce();
  EXPECT_TRUE(NewRows().empty());  // 30 days left: fine

  const absl::Time expiry = clock_.Now() + absl::Hours(24 * 10) + absl::Minutes(1);
  Result(id, true, expiry);
  scheduler->RunOnce();
  std::vector<store::OutboxEntry> rows = NewRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, "tls_expiring");
  EXPECT_TRUE(absl::StartsWith(rows[0].incident_id, "tls:" + id + ":"));
  EXPECT_TRUE(absl::StrContains(rows[0].payload_json, "expires in 10 days")) << rows[0].payload_json;
  EXPECT_TRUE(absl::StrContains(rows[0].payload_json, "tls_expiry")) << rows[0].payload_json;

  clock_.Advance(absl::Hours(24));
  Result(id, true, expiry);  // the same certificate
  scheduler = NewScheduler();
  scheduler->RunOnce();
  EXPECT_TRUE(NewRows().empty());
  // A renewed certificate that expires soon again: a new warning.
  Result(id, true, clock_.Now() + absl::Hours(24 * 13));
  scheduler->RunOnce();
  EXPECT_EQ(NewRows().size(), 2u);
}

}  // namespace
}  // namespace uptime::coordinator
