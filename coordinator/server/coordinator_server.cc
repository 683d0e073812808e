#include "coordinator/server/coordinator_server.h"

#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/status_macros.h"
#include "common/worker_pool.h"
#include "coordinator/accounts/account_registry.h"
#include "coordinator/accounts/secrets.h"
#include "coordinator/api/agent_service.h"
#include "coordinator/api/audit_service.h"
#include "coordinator/api/auth_service.h"
#include "coordinator/api/cluster_service.h"
#include "coordinator/api/maintenance_service.h"
#include "coordinator/api/monitor_service.h"
#include "coordinator/api/notification_service.h"
#include "coordinator/api/status_page_service.h"
#include "coordinator/api/status_service.h"
#include "coordinator/api/user_service.h"
#include "coordinator/server/leadership.h"
#include "coordinator/server/pipeline.h"
#include "coordinator/server/stores.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {

// Members in dependency order: destroyed in reverse, after the server stops.
struct CoordinatorServer::Components {
  Components(const CoordinatorConfig& config, Clock* clock)
      : stores({.postgres_dsn = config.postgres_dsn, .redis = config.redis}, clock),
        accounts(clock, stores.accounts(),
                 AccountOptions{.session_idle_timeout = config.session_idle_timeout,
                                .session_max_age = config.session_max_age}),
        auth(config.tokens, config.insecure_no_auth, &accounts),
        pipeline(clock, stores.view(),
                 PipelineOptions{
                     .agents = {.heartbeat_interval = config.heartbeat_interval},
                     .persistence = {.raw_retention_days = config.raw_retention_days},
                     .uptime = {.refresh_interval = config.uptime_summary_interval},
                     .alert_sender = {.storm_threshold = config.alert_storm_threshold,
                                      .storm_window = config.alert_storm_window},
                     .dashboard_url = config.dashboard_url},
                 &metrics),
        reads({.threads = 4, .max_queued = 1024}),
        monitor_service(&auth, clock, &pipeline.catalog(),
                        [this](const std::string& id) { return pipeline.channels().Exists(id); }),
        status_service(&auth, clock, &pipeline.tracker(), &pipeline.agents(), &pipeline.events(),
                       stores.view().results, stores.view().incidents, &reads,
                       &pipeline.uptime()),
        cluster_service(&auth,
                        config.coordinator_id.empty() ? HostName("coordinator")
                                                      : config.coordinator_id,
                        clock->Now(), &pipeline.catalog(), &pipeline.tracker(), &pipeline.agents()),
        agent_service(&auth, &pipeline.agents(), &pipeline.ingest()),
        notification_service(&auth, &pipeline.channels(), clock, config.dashboard_url),
        maintenance_service(&auth, clock, &pipeline.maintenance()),
        status_page_service(&auth, clock, &pipeline.status_pages()),
        auth_service(&auth, &accounts),
        user_service(&auth, &accounts),
        audit_service(&auth, &accounts) {}

  MetricsRegistry metrics;
  Stores stores;
  AccountRegistry accounts;
  TokenAuthorizer auth;
  Pipeline pipeline;
  // Store reads of the API (results, uptime, incidents), off gRPC's threads.
  WorkerPool reads;
  MonitorServiceImpl monitor_service;
  StatusServiceImpl status_service;
  ClusterServiceImpl cluster_service;
  AgentServiceImpl agent_service;
  NotificationServiceImpl notification_service;
  MaintenanceServiceImpl maintenance_service;
  StatusPageServiceImpl status_page_service;
  AuthServiceImpl auth_service;
  UserServiceImpl user_service;
  AuditServiceImpl audit_service;
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
  if (config.bootstrap_admin.empty() != config.bootstrap_admin_password.empty()) {
    return absl::InvalidArgumentError(
        "--bootstrap-admin and --bootstrap-admin-password-file go together");
  }
  if (!config.bootstrap_admin_password.empty()) {
    RETURN_IF_ERROR(ValidatePassword("--bootstrap-admin-password-file", config.bootstrap_admin_password));
  }
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
  components_->leadership = std::make_unique<Leadership>(clock_, std::move(leadership));
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
  RETURN_IF_ERROR(c.stores.Prepare(clock_->Now()));
  RETURN_IF_ERROR(c.pipeline.Load());
  RETURN_IF_ERROR(c.accounts.Load());
  if (!config_.bootstrap_admin.empty()) {
    RETURN_IF_ERROR(c.accounts.Bootstrap(config_.bootstrap_admin, config_.bootstrap_admin_password));
  }
  c.accounts.Start();
  c.pipeline.Start();
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
  builder.RegisterService(&components_->status_page_service);
  builder.RegisterService(&components_->auth_service);
  builder.RegisterService(&components_->user_service);
  builder.RegisterService(&components_->audit_service);
  builder.RegisterService(&components_->agent_service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen));
  }
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
  components_->pipeline.Stop();
  components_->accounts.Stop();
  components_->reads.Stop();
  metrics_server_.reset();
}

int CoordinatorServer::metrics_port() const {
  return metrics_server_ ? metrics_server_->port() : 0;
}

void CoordinatorServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace uptime::coordinator
