#include "coordinator/server/pipeline.h"

#include <utility>
#include <vector>

#include "common/status_macros.h"
#include "coordinator/server/recovery.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {

Pipeline::Pipeline(Clock* clock, PipelineStores stores, PipelineOptions options,
                   MetricsRegistry* metrics)
    : clock_(clock),
      stores_(stores),
      catalog_(clock, stores.catalog),
      channels_(clock, stores.catalog, &notifier_registry_,
                notifiers::NotifierDeps{
                    .clock = clock, .timeout = options.notifier_timeout, .ca_file = {}},
                [this](const std::string& id) { return MonitorsUseChannel(id); }),
      maintenance_(
          clock, stores.maintenance,
          [this](const std::string& id) { return catalog_.Get(id).ok(); },
          [this](std::shared_ptr<const MaintenanceCalendar> calendar) {
            tracker_.SetMaintenanceCalendar(std::move(calendar));
          }),
      status_pages_(clock, stores.status_pages, &catalog_),
      // The one cycle in the graph: the tracker reports incidents to
      // IncidentAlerts, which records them through Persistence, which reads
      // the tracker's changed states. Only the address of incident_alerts_
      // is taken here; it is constructed before any result can arrive.
      tracker_(clock, &events_, &incident_alerts_),
      agents_(clock,
              [&] {
                AgentManagerOptions o = options.agents;
                o.metrics = metrics;
                return o;
              }()),
      persistence_(clock, options.persistence, stores.results, stores.incidents, stores.cache,
                   &tracker_, metrics),
      uptime_(clock, stores.results, options.uptime),
      ingest_(options.ingest, &agents_, &tracker_, &persistence_, metrics),
      alert_sender_(clock, stores.incidents, &channels_, metrics, options.alert_sender),
      incident_alerts_(clock, &persistence_, &alert_sender_, options.dashboard_url),
      alert_scheduler_(clock, &catalog_, &tracker_, stores.incidents, &alert_sender_,
                       [&] {
                         AlertSchedulerOptions o = options.alert_scheduler;
                         o.dashboard_url = options.dashboard_url;
                         return o;
                       }()) {
  // Only a duplicate name can fail, and the built-ins have distinct names.
  (void)notifiers::RegisterBuiltinNotifiers(&notifier_registry_);
  catalog_.AddListener(&tracker_);
  catalog_.AddListener(&agents_);
  AddGauges(metrics);
}

Pipeline::~Pipeline() { Stop(); }

absl::Status Pipeline::Load() {
  RETURN_IF_ERROR(catalog_.Load());
  RETURN_IF_ERROR(channels_.Load());
  // Before the states, so a monitor saved in a window still in effect
  // stays in MAINTENANCE (since kept) and one whose window ended while no
  // one led leaves it as the restored state is applied.
  RETURN_IF_ERROR(maintenance_.Load());
  // After the catalog: pages resolve their monitors against it.
  RETURN_IF_ERROR(status_pages_.Load());
  ASSIGN_OR_RETURN(std::vector<v1::MonitorStatus> states, stores_.incidents->LoadStates());
  RETURN_IF_ERROR(ReconcileWithIncidents(*stores_.incidents, clock_->Now(), states));
  tracker_.Restore(states);
  ASSIGN_OR_RETURN(std::vector<store::AgentSequence> sequences,
                   stores_.results->LoadAgentSequences());
  ingest_.RestoreSequences(sequences);
  spdlog::info("loaded {} monitors and {} saved states", catalog_.size(), states.size());
  return absl::OkStatus();
}

void Pipeline::Start() {
  persistence_.Start();
  uptime_.Start();
  alert_sender_.Start();
  alert_scheduler_.Start();
  agents_.Start();
}

void Pipeline::Stop() {
  persistence_.Stop();
  uptime_.Stop();
  alert_scheduler_.Stop();
  alert_sender_.Stop();
}

bool Pipeline::MonitorsUseChannel(const std::string& channel_id) const {
  std::string token;
  do {
    absl::StatusOr<MonitorPage> page = catalog_.List(LabelSelector(), 1000, token);
    if (!page.ok()) return true;  // when unsure, keep the channel
    for (const MonitorPtr& m : page->monitors) {
      for (const std::string& id : m->channel_ids()) {
        if (id == channel_id) return true;
      }
    }
    token = page->next_page_token;
  } while (!token.empty());
  return false;
}

void Pipeline::AddGauges(MetricsRegistry* metrics) {
  metrics->AddCallbackGauge("uptime_coordinator_monitors", "Monitors in the catalog",
                            [this] { return static_cast<double>(catalog_.size()); });
  metrics->AddCallbackGauge("uptime_coordinator_agents", "Connected agents",
                            [this] { return static_cast<double>(agents_.agent_count()); });
  for (auto [state, name] : {std::pair{v1::STATE_UP, "up"}, std::pair{v1::STATE_DOWN, "down"},
                             std::pair{v1::STATE_PENDING, "pending"},
                             std::pair{v1::STATE_PAUSED, "paused"},
                             std::pair{v1::STATE_MAINTENANCE, "maintenance"}}) {
    metrics->AddCallbackGauge(
        "uptime_coordinator_monitors_by_state", "Monitors by state",
        [this, state] {
          StateCounts c = tracker_.Counts();
          return static_cast<double>(state == v1::STATE_UP            ? c.up
                                     : state == v1::STATE_DOWN        ? c.down
                                     : state == v1::STATE_PAUSED      ? c.paused
                                     : state == v1::STATE_MAINTENANCE ? c.maintenance
                                                                      : c.pending);
        },
        {{"state", name}});
  }
}

}  // namespace uptime::coordinator
