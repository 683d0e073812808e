#include "coordinator/coordinator_server.h"

#include <unistd.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/agent_manager.h"
#include "coordinator/agent_session.h"
#include "coordinator/alert_scheduler.h"
#include "coordinator/alert_sender.h"
#include "coordinator/incident_alerts.h"
#include "coordinator/leadership.h"
#include "coordinator/channels.h"
#include "coordinator/notification_service.h"
#include "coordinator/notifiers/notifier.h"
#include "coordinator/catalog.h"
#include "coordinator/cluster_service.h"
#include "coordinator/event_bus.h"
#include "coordinator/maintenance.h"
#include "coordinator/maintenance_service.h"
#include "coordinator/monitor_service.h"
#include "coordinator/persistence.h"
#include "coordinator/status_service.h"
#include "coordinator/status_tracker.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "spdlog/spdlog.h"
#include "store/catalog_store.h"
#include "store/leader_lock.h"
#include "store/memory_incident_store.h"
#include "store/memory_maintenance_store.h"
#include "store/memory_result_store.h"
#include "store/migrations.h"
#include "store/pg_catalog_store.h"
#include "store/pg_incident_store.h"
#include "store/pg_maintenance_store.h"
#include "store/pg_pool.h"
#include "store/pg_result_store.h"
#include "store/redis_status_cache.h"
#include "uptime/v1/notification.grpc.pb.h"

namespace uptime::coordinator {
namespace {

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  AgentServiceImpl(const TokenAuthorizer* auth, AgentManager* manager)
      : auth_(auth), manager_(manager) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* Connect(
      grpc::CallbackServerContext* ctx) override {
    return new AgentSession(ctx, *auth_, manager_);
  }

 private:
  const TokenAuthorizer* const auth_;
  AgentManager* const manager_;
};

// Whether any monitor alerts `channel_id` (a channel in use cannot be deleted).
bool MonitorsUseChannel(const Catalog& catalog, const std::string& channel_id) {
  std::string token;
  do {
    absl::StatusOr<MonitorPage> page = catalog.List(LabelSelector(), 1000, token);
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

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "coordinator";
  return name;
}

}  // namespace

// The stores: PostgreSQL (and Redis) when configured, in memory otherwise.
struct Stores {
  Stores(const CoordinatorConfig& config, Clock* clock) {
    if (!config.postgres_dsn.empty()) {
      pool = std::make_unique<store::PgPool>(
          store::PgPoolOptions{.conn = {.dsn = config.postgres_dsn}, .size = 4});
      catalog = std::make_unique<store::PgCatalogStore>(pool.get());
      results = std::make_unique<store::PgResultStore>(pool.get());
      incidents = std::make_unique<store::PgIncidentStore>(pool.get(), clock);
      maintenance = std::make_unique<store::PgMaintenanceStore>(pool.get());
    } else {
      catalog = std::make_unique<store::MemoryCatalogStore>();
      results = std::make_unique<store::MemoryResultStore>();
      incidents = std::make_unique<store::MemoryIncidentStore>(clock);
      maintenance = std::make_unique<store::MemoryMaintenanceStore>();
    }
    if (!config.redis.empty()) {
      cache = std::make_unique<store::RedisStatusCache>(
          store::RedisStatusCacheOptions{.redis = {.host_port = config.redis}}, clock);
    }
  }

  std::unique_ptr<store::PgPool> pool;
  std::unique_ptr<store::CatalogStore> catalog;
  std::unique_ptr<store::ResultStore> results;
  std::unique_ptr<store::IncidentStore> incidents;
  std::unique_ptr<store::MaintenanceStore> maintenance;
  std::unique_ptr<store::StatusCache> cache;
};

// Incidents are written as they happen, state snapshots about every second,
// so after a crash a snapshot can lag behind. The incidents are the truth:
// a monitor with an open incident is DOWN with it (so it is not opened, and
// alerted, a second time), and one whose incident was closed is UP.
absl::Status ReconcileWithIncidents(store::IncidentStore& incidents, absl::Time now,
                                    std::vector<v1::MonitorStatus>& states) {
  std::map<std::string, v1::Incident> open;  // by monitor id
  std::string token;
  do {
    ASSIGN_OR_RETURN(store::IncidentPage page,
                     incidents.ListIncidents(
                         {.open_only = true, .page_size = 1000, .page_token = token}));
    for (v1::Incident& i : page.incidents) open[i.monitor_id()] = std::move(i);
    token = page.next_page_token;
  } while (!token.empty());
  std::set<std::string> seen;
  for (v1::MonitorStatus& s : states) {
    seen.insert(s.monitor_id());
    auto it = open.find(s.monitor_id());
    if (s.state() == v1::STATE_MAINTENANCE) {
      // Silent while the window lasts, but the incident it will resume
      // (or close) when the window ends must be the store's.
      if (it != open.end()) {
        s.set_open_incident_id(it->second.id());
      } else {
        s.clear_open_incident_id();
      }
      continue;
    }
    if (it != open.end()) {
      const bool behind = s.state() == v1::STATE_UP || s.state() == v1::STATE_PENDING ||
                          (s.state() == v1::STATE_DOWN && s.open_incident_id() != it->second.id());
      if (!behind) continue;
      s.set_state(v1::STATE_DOWN);
      *s.mutable_since() = it->second.started();
      s.set_open_incident_id(it->second.id());
    } else if (s.state() == v1::STATE_DOWN) {
      s.set_state(v1::STATE_UP);
      ToProto(now, s.mutable_since());
      s.clear_open_incident_id();
    }
  }
  for (const auto& [monitor_id, incident] : open) {
    if (seen.contains(monitor_id)) continue;
    v1::MonitorStatus& s = states.emplace_back();
    s.set_monitor_id(monitor_id);
    s.set_state(v1::STATE_DOWN);
    *s.mutable_since() = incident.started();
    s.set_open_incident_id(incident.id());
  }
  return absl::OkStatus();
}

// Members in dependency order: destroyed in reverse, after the server stops.
struct CoordinatorServer::Components {
  Components(const CoordinatorConfig& config, Clock* clock)
      : stores(config, clock),
        auth(config.tokens, config.insecure_no_auth),
        catalog(clock, stores.catalog.get()),
        tracker(clock, &events),
        agents(clock,
               AgentManagerOptions{.heartbeat_interval = config.heartbeat_interval,
                                   .metrics = &metrics},
               &tracker),
        channels(clock, stores.catalog.get(), &notifier_registry,
                 notifiers::NotifierDeps{.clock = clock, .timeout = absl::Seconds(10), .ca_file = {}},
                 [this](const std::string& id) { return MonitorsUseChannel(catalog, id); }),
        maintenance(
            clock, stores.maintenance.get(),
            [this](const std::string& id) { return catalog.Get(id).ok(); },
            [this](std::shared_ptr<const MaintenanceCalendar> calendar) {
              tracker.SetMaintenanceCalendar(std::move(calendar));
            }),
        monitor_service(&auth, &catalog,
                        [this](const std::string& id) { return channels.Exists(id); }),
        status_service(&auth, clock, &tracker, &agents, &events, stores.results.get(),
                       stores.incidents.get()),
        cluster_service(&auth,
                        config.coordinator_id.empty() ? HostName() : config.coordinator_id,
                        clock->Now(), &catalog, &tracker, &agents),
        agent_service(&auth, &agents),
        notification_service(&auth, &channels, clock, config.dashboard_url),
        maintenance_service(&auth, &maintenance),
        persistence(clock, PersistenceOptions{.raw_retention_days = config.raw_retention_days},
                    stores.results.get(), stores.incidents.get(), stores.cache.get(), &tracker,
                    &metrics),
        alert_sender(clock, stores.incidents.get(), &channels, &metrics,
                     AlertSenderOptions{.storm_threshold = config.alert_storm_threshold,
                                        .storm_window = config.alert_storm_window}),
        incident_alerts(clock, &persistence, &alert_sender, config.dashboard_url),
        alert_scheduler(clock, &catalog, &tracker, stores.incidents.get(), &alert_sender,
                        AlertSchedulerOptions{.dashboard_url = config.dashboard_url}) {
    // Only a duplicate name can fail, and the built-ins have distinct names.
    (void)notifiers::RegisterBuiltinNotifiers(&notifier_registry);
    catalog.AddListener(&tracker);
    const std::string dashboard = config.dashboard_url;
    persistence.SetOutboxBuilder(
        [clock, dashboard](const v1::Incident& incident, const v1::Monitor& monitor, bool recovered) {
          return BuildIncidentOutbox(incident, monitor, recovered, clock->Now(), dashboard);
        });
    catalog.AddListener(&agents);
    // Alerts go to the sender at once and to the outbox through persistence.
    tracker.SetIncidentSink(&incident_alerts);
    agents.SetResultSink(&persistence);
    metrics.AddCallbackGauge("uptime_coordinator_monitors", "Monitors in the catalog",
                             [this] { return static_cast<double>(catalog.size()); });
    metrics.AddCallbackGauge("uptime_coordinator_agents", "Connected agents",
                             [this] { return static_cast<double>(agents.agent_count()); });
    for (auto [state, name] : {std::pair{v1::STATE_UP, "up"}, std::pair{v1::STATE_DOWN, "down"},
                               std::pair{v1::STATE_PENDING, "pending"},
                               std::pair{v1::STATE_PAUSED, "paused"},
                               std::pair{v1::STATE_MAINTENANCE, "maintenance"}}) {
      metrics.AddCallbackGauge(
          "uptime_coordinator_monitors_by_state", "Monitors by state",
          [this, state] {
            StateCounts c = tracker.Counts();
            return static_cast<double>(state == v1::STATE_UP     ? c.up
                                       : state == v1::STATE_DOWN ? c.down
                                       : state == v1::STATE_PAUSED ? c.paused
                                       : state == v1::STATE_MAINTENANCE ? c.maintenance
                                                                 : c.pending);
          },
          {{"state", name}});
    }
  }

  MetricsRegistry metrics;
  Stores stores;
  notifiers::NotifierRegistry notifier_registry;
  TokenAuthorizer auth;
  EventBus events;
  Catalog catalog;
  StatusTracker tracker;
  AgentManager agents;
  ChannelRegistry channels;
  MaintenanceRegistry maintenance;
  MonitorServiceImpl monitor_service;
  StatusServiceImpl status_service;
  ClusterServiceImpl cluster_service;
  AgentServiceImpl agent_service;
  NotificationServiceImpl notification_service;
  MaintenanceServiceImpl maintenance_service;
  Persistence persistence;
  AlertSender alert_sender;
  IncidentAlerts incident_alerts;
  AlertScheduler alert_scheduler;
  std::unique_ptr<Leadership> leadership;
  std::atomic<bool> leader{false};
};

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Create(
    const CoordinatorConfig& config, Clock* clock) {
  RETURN_IF_ERROR(ParseHostPort("--listen", config.listen).status());
  if (config.tokens.admin.empty() && !config.insecure_no_auth) {
    return absl::InvalidArgumentError(
        "--admin-token (or --admin-token-file) is required; pass --insecure-no-auth to run "
        "without authentication");
  }
  RETURN_IF_ERROR(Leadership::Validate({.grace = config.leader_lock_grace}));
  if (config.heartbeat_interval < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError("--heartbeat-interval: must be at least 100ms");
  }
  RETURN_IF_ERROR(MakeServerCredentials(config.tls).status());
  return std::unique_ptr<CoordinatorServer>(new CoordinatorServer(config, clock));
}

CoordinatorServer::CoordinatorServer(const CoordinatorConfig& config, Clock* clock)
    : config_(config), clock_(clock), components_(std::make_unique<Components>(config, clock)) {}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

absl::Status CoordinatorServer::Start() {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds, MakeServerCredentials(config_.tls));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  if (!config_.metrics_listen.empty()) {
    Components* c = components_.get();
    ASSIGN_OR_RETURN(metrics_server_,
                     MetricsServer::Start({.listen = config_.metrics_listen,
                                           .registry = &c->metrics,
                                           .healthy = {},
                                           .ready = [c] { return c->leader.load(); },
                                           .tls = config_.metrics_tls}));
  }
  if (config_.insecure_no_auth) {
    spdlog::warn("AUTHENTICATION IS OFF (--insecure-no-auth): anyone who can reach {} controls "
                 "this coordinator", config_.listen);
  }
  if (config_.tokens.agent.empty() && !config_.insecure_no_auth) {
    spdlog::warn("no --agent-token: agents cannot connect");
  }
  if (config_.postgres_dsn.empty()) {
    spdlog::warn("no --postgres: monitors, results and incidents live in memory only and are "
                 "lost on restart");
    RETURN_IF_ERROR(BecomeLeader());
    return StartServing();
  }
  // A standby answers health checks (NOT_SERVING) while it waits for the lock.
  grpc::ServerBuilder standby;
  standby.AddListeningPort(config_.listen, creds, &port_);
  standby_server_ = standby.BuildAndStart();
  if (standby_server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen));
  }
  standby_server_->GetHealthCheckService()->SetServingStatus(false);
  LeadershipOptions leadership{.grace = config_.leader_lock_grace};
  leadership.lock.conn.dsn = config_.postgres_dsn;
  // Short, so an attempt to take the lock back fits in the grace period.
  leadership.lock.conn.connect_timeout = absl::Seconds(2);
  components_->leadership = std::make_unique<Leadership>(std::move(leadership));
  RETURN_IF_ERROR(components_->leadership->Acquire());
  spdlog::info("acquired the leader lock");
  RETURN_IF_ERROR(BecomeLeader());
  standby_server_->Shutdown();
  standby_server_->Wait();
  standby_server_.reset();
  return StartServing();
}

absl::Status CoordinatorServer::BecomeLeader() {
  Components& c = *components_;
  if (c.stores.pool != nullptr) {
    // PostgreSQL may still be starting: retry for a while before giving up.
    absl::StatusOr<int> version;
    for (int attempt = 0; attempt < 30; ++attempt) {
      version = store::ApplyMigrations(*c.stores.pool);
      if (version.ok() || !absl::IsUnavailable(version.status())) break;
      absl::SleepFor(absl::Seconds(1));
    }
    if (!version.ok()) return version.status();
    RETURN_IF_ERROR(store::EnsurePartitions(*c.stores.pool, clock_->Now()));
    spdlog::info("database schema at version {}", *version);
  }
  RETURN_IF_ERROR(c.catalog.Load());
  RETURN_IF_ERROR(c.channels.Load());
  // Before the states, so a monitor saved in a window still in effect
  // stays in MAINTENANCE (since kept) and one whose window ended while no
  // one led leaves it as the restored state is applied.
  RETURN_IF_ERROR(c.maintenance.Load());
  ASSIGN_OR_RETURN(std::vector<v1::MonitorStatus> states, c.stores.incidents->LoadStates());
  RETURN_IF_ERROR(ReconcileWithIncidents(*c.stores.incidents, clock_->Now(), states));
  c.tracker.Restore(states);
  ASSIGN_OR_RETURN(std::vector<store::AgentSequence> sequences, c.stores.results->LoadAgentSequences());
  c.agents.RestoreSequences(sequences);
  spdlog::info("loaded {} monitors and {} saved states", c.catalog.size(), states.size());
  c.persistence.Start();
  c.alert_sender.Start();
  c.alert_scheduler.Start();
  c.leader = true;
  return absl::OkStatus();
}

absl::Status CoordinatorServer::StartServing() {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds, MakeServerCredentials(config_.tls));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.listen, creds, &port_);
  // Agents keep streams open for days: ping to find dead peers, and allow
  // agents' own keepalive pings.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  builder.RegisterService(&components_->monitor_service);
  builder.RegisterService(&components_->status_service);
  builder.RegisterService(&components_->cluster_service);
  builder.RegisterService(&components_->notification_service);
  builder.RegisterService(&components_->maintenance_service);
  builder.RegisterService(&components_->agent_service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen));
  }
  components_->agents.Start();
  spdlog::info("coordinator {} serving on port {} ({})", Version(), port_,
               config_.tls.enabled() ? (config_.tls.client_ca_file.empty() ? "TLS" : "mutual TLS")
                                     : "plaintext");
  return absl::OkStatus();
}

void CoordinatorServer::Shutdown(absl::Duration deadline) {
  if (standby_server_ != nullptr) {
    standby_server_->Shutdown();
    standby_server_->Wait();
    standby_server_.reset();
  }
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline)));
  server_->Wait();
  server_.reset();
  // Agents resend what was not acked; this only saves them the trouble.
  components_->persistence.Stop();
  components_->alert_scheduler.Stop();
  components_->alert_sender.Stop();
  metrics_server_.reset();
}

int CoordinatorServer::metrics_port() const {
  return metrics_server_ ? metrics_server_->port() : 0;
}

void CoordinatorServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace uptime::coordinator
