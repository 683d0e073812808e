// Pipeline: the coordinator's stages, built once, in the order a result
// travels (docs/architecture.md):
//
//   agent stream (api/) -> ResultIngest (ingest/): limits, dedup, epoch filter
//     -> AgentManager (cluster/): is the sender assigned, at this epoch?
//     -> StatusTracker (health/): state machine, events, incidents
//          -> IncidentAlerts (alerting/): alert rows, built once
//               -> Persistence (persistence/): incident + outbox, one transaction
//               -> AlertSender (alerting/) -> notifiers/ -> Slack, ...
//     -> Persistence (persistence/): results, buckets, Acks, Redis mirror
//
// Every stage gets its collaborators in its constructor; nothing is wired
// afterwards. The server, the benches and the tests build this same object,
// so none of them can wire the stages differently.
//
// Example:
//   Stores stores({.postgres_dsn = dsn}, clock);
//   RETURN_IF_ERROR(stores.Prepare(clock->Now()));
//   Pipeline pipeline(clock, stores.view(), {}, &metrics);
//   RETURN_IF_ERROR(pipeline.Load());
//   pipeline.Start();
//   ... pipeline.ingest().OnResults(agent_id, link, &batch) ...
//   pipeline.Stop();
//
// Thread-safety: the stages are thread-safe; Load, Start and Stop are called
// from one thread, in that order.
#ifndef UPTIME_COORDINATOR_SERVER_PIPELINE_H_
#define UPTIME_COORDINATOR_SERVER_PIPELINE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "coordinator/alerting/alert_scheduler.h"
#include "coordinator/alerting/alert_sender.h"
#include "coordinator/alerting/incident_alerts.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/catalog/channel_registry.h"
#include "coordinator/catalog/maintenance_registry.h"
#include "coordinator/catalog/status_page_registry.h"
#include "coordinator/cluster/agent_manager.h"
#include "coordinator/health/event_bus.h"
#include "coordinator/health/status_tracker.h"
#include "coordinator/ingest/result_ingest.h"
#include "coordinator/notifiers/notifier.h"
#include "coordinator/persistence/persistence.h"
#include "coordinator/persistence/uptime_cache.h"
#include "store/catalog_store.h"
#include "store/incident_store.h"
#include "store/maintenance_store.h"
#include "store/result_store.h"
#include "store/status_cache.h"
#include "store/status_page_store.h"

namespace uptime::coordinator {

// The stores the stages use; not owned.
struct PipelineStores {
  store::CatalogStore* catalog = nullptr;
  store::ResultStore* results = nullptr;
  store::IncidentStore* incidents = nullptr;
  store::MaintenanceStore* maintenance = nullptr;
  store::StatusPageStore* status_pages = nullptr;
  store::StatusCache* cache = nullptr;  // may be null: no Redis
};

struct PipelineOptions {
  AgentManagerOptions agents = {};  // `metrics` is the pipeline's
  ResultIngestOptions ingest = {};
  PersistenceOptions persistence = {};
  UptimeCacheOptions uptime = {};
  AlertSenderOptions alert_sender = {};
  AlertSchedulerOptions alert_scheduler = {};  // `dashboard_url` is the one below
  // Base URL of the dashboard, for links in alerts.
  std::string dashboard_url = {};
  // How long one notifier call may take.
  absl::Duration notifier_timeout = absl::Seconds(10);
};

class Pipeline {
 public:
  // Builds every stage; starts nothing. `metrics` and everything in
  // `stores` must outlive the pipeline.
  Pipeline(Clock* clock, PipelineStores stores, PipelineOptions options, MetricsRegistry* metrics);
  // Stop()s.
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // What a new leader starts from: the catalog, channels, maintenance
  // windows and status pages, then the saved states reconciled with the
  // open incidents (recovery.h), then the agents' last durable batches.
  absl::Status Load();
  // Starts the writers, the uptime summary, the alert sender and scheduler,
  // and agent liveness.
  void Start();
  // Stops the background stages after a last attempt to write what is
  // queued (agents resend what was not acked). Idempotent.
  void Stop();

  Catalog& catalog() { return catalog_; }
  ChannelRegistry& channels() { return channels_; }
  MaintenanceRegistry& maintenance() { return maintenance_; }
  StatusPageRegistry& status_pages() { return status_pages_; }
  EventBus& events() { return events_; }
  StatusTracker& tracker() { return tracker_; }
  AgentManager& agents() { return agents_; }
  ResultIngest& ingest() { return ingest_; }
  Persistence& persistence() { return persistence_; }
  // Every monitor's 24h uptime, for StatusService.ListUptime.
  UptimeCache& uptime() { return uptime_; }
  AlertSender& alert_sender() { return alert_sender_; }
  AlertScheduler& alert_scheduler() { return alert_scheduler_; }
  const PipelineStores& stores() const { return stores_; }

 private:
  // Whether any monitor alerts `channel_id` (a channel in use cannot be deleted).
  bool MonitorsUseChannel(const std::string& channel_id) const;
  void AddGauges(MetricsRegistry* metrics);

  Clock* const clock_;
  const PipelineStores stores_;
  notifiers::NotifierRegistry notifier_registry_;
  // The stages, in dependency order (destroyed in reverse).
  EventBus events_;
  Catalog catalog_;
  ChannelRegistry channels_;
  MaintenanceRegistry maintenance_;
  StatusPageRegistry status_pages_;
  StatusTracker tracker_;
  AgentManager agents_;
  Persistence persistence_;
  UptimeCache uptime_;
  ResultIngest ingest_;
  AlertSender alert_sender_;
  IncidentAlerts incident_alerts_;
  AlertScheduler alert_scheduler_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_SERVER_PIPELINE_H_
