// CoordinatorServer: the whole coordinator, built from one Config in
// dependency order (clock, catalog, status, agents, services, gRPC server).
//
// Example:
//   CoordinatorConfig config;  // filled from flags by main()
//   ASSIGN_OR_RETURN(auto server, CoordinatorServer::Create(config, RealClock::Get()));
//   RETURN_IF_ERROR(server->Start());
//   server->Wait();
#ifndef UPTIME_COORDINATOR_SERVER_COORDINATOR_SERVER_H_
#define UPTIME_COORDINATOR_SERVER_COORDINATOR_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/metrics_server.h"
#include "common/tls.h"
#include "grpcpp/server.h"

namespace uptime::coordinator {

struct CoordinatorConfig {
  std::string listen = "0.0.0.0:7070";
  Tokens tokens;
  bool insecure_no_auth = false;
  ServerTlsOptions tls;
  std::string coordinator_id;  // default: host name
  absl::Duration heartbeat_interval = absl::Seconds(1);
  // Prometheus /metrics, /healthz, /readyz; empty disables.
  std::string metrics_listen = "0.0.0.0:9091";
  ServerTlsOptions metrics_tls;  // HTTPS / mTLS for the metrics listener
  // PostgreSQL connection string. Empty: everything in memory, nothing
  // survives a restart (development only; the log says so).
  std::string postgres_dsn;
  // Redis HOST:PORT for live status and history; empty disables.
  std::string redis;
  // How long a leader whose lock session ended (PostgreSQL restarted, say)
  // keeps leading while it takes the lock back; at most 8s.
  absl::Duration leader_lock_grace = absl::Seconds(7);
  int raw_retention_days = 30;
  // Base URL of the dashboard, for links in alerts (e.g. https://uptime.example.com).
  std::string dashboard_url;
  // Storms: at most this many alert messages per channel per window; the
  // rest go out as one grouped message when the window ends.
  int alert_storm_threshold = 3;
  absl::Duration alert_storm_window = absl::Seconds(10);
  // How often the 24h uptime summary of every monitor is recomputed.
  absl::Duration uptime_summary_interval = absl::Minutes(1);
  // The first admin of a new installation: created at start when no user
  // exists yet (ignored afterwards). Both or neither.
  std::string bootstrap_admin;
  std::string bootstrap_admin_password;
  // Dashboard sessions end after this long unused, and at the latest after
  // `session_max_age`.
  absl::Duration session_idle_timeout = absl::Hours(12);
  absl::Duration session_max_age = absl::Hours(24 * 7);
};

class CoordinatorServer {
 public:
  // INVALID_ARGUMENT for a config that cannot work (no tokens without
  // insecure_no_auth, bad TLS files, bad listen address).
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Create(const CoordinatorConfig& config,
                                                                   Clock* clock);
  ~CoordinatorServer();

  // Binds and serves. With PostgreSQL, first serves only grpc.health
  // (NOT_SERVING) and /readyz (503) while it waits for the leader lock, then
  // loads the catalog and state and serves everything. UNAVAILABLE if the
  // address cannot be bound or the store cannot be prepared.
  absl::Status Start();
  // The bound port (useful with port 0).
  int port() const { return port_; }
  // The bound metrics port, 0 when disabled.
  int metrics_port() const;
  // Stops accepting, ends streams, waits for handlers, within `deadline`.
  void Shutdown(absl::Duration deadline = absl::Seconds(5));
  void Wait();

 private:
  struct Components;
  CoordinatorServer(const CoordinatorConfig& config, Clock* clock);

  const CoordinatorConfig config_;
  Clock* const clock_;
  absl::Status StartServing();
  absl::Status BecomeLeader();

  std::unique_ptr<Components> components_;
  std::unique_ptr<grpc::Server> standby_server_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MetricsServer> metrics_server_;
  int port_ = 0;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_SERVER_COORDINATOR_SERVER_H_
