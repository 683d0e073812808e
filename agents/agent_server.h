// AgentServer: the whole agent, built from one AgentConfig in dependency
// order: the coordinator session (which buffers results), then the check
// engine (which feeds it), then the connection.
//
// Example:
//   ASSIGN_OR_RETURN(auto agent, AgentServer::Create(config));
//   agent->Start();
//   ... on SIGTERM: agent->Shutdown();
//
// Thread-safety: all methods are thread-safe.
#ifndef UPTIME_AGENTS_AGENT_SERVER_H_
#define UPTIME_AGENTS_AGENT_SERVER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agents/agent_metrics.h"
#include "agents/engine/check_engine_group.h"
#include "agents/session/coordinator_session.h"
#include "agents/session/result_buffer.h"
#include "common/metrics.h"
#include "common/metrics_server.h"
#include "common/tls.h"

namespace uptime::agent {

struct AgentConfig {
  std::string coordinator = "localhost:7070";  // --coordinator HOST:PORT
  std::string agent_id;                         // --agent-id (main: host name)
  std::map<std::string, std::string> labels;    // --labels k=v,...
  std::string agent_token;                      // --agent-token / --agent-token-file
  int capacity = 100;                           // --capacity: sharding weight
  ClientTlsOptions tls;                         // --tls, --tls-ca, --tls-cert, ...
  int max_concurrency = 1000;                   // --max-concurrency: checks at once
  // --loops: event loops (threads) running checks, monitors split among
  // them by id; 0: one per core (CheckEngineGroup::DefaultLoops()).
  int loops = 0;
  // --http-client: "loop" runs plain-HTTP checks on the loops' own sockets
  // (HttpCheck, a third of curl's system calls), "curl" runs every HTTP
  // check as a curl transfer. HTTPS is always curl's.
  std::string http_client = "loop";
  // --metrics-listen: Prometheus /metrics, /healthz, /readyz (ready while
  // connected to the coordinator); empty disables, port 0 picks one.
  std::string metrics_listen = "0.0.0.0:9092";
  ServerTlsOptions metrics_tls;  // HTTPS / mTLS for the metrics listener
  ResultBufferOptions buffer;                   // batching and the unacked buffer
  // Shutdown(): time for the coordinator to answer Goodbye, and again for
  // running checks to end and results to be acked.
  absl::Duration shutdown_grace = absl::Seconds(5);
  // Empty: a random one (NewIncarnation()).
  std::string incarnation;
};

// OK, or INVALID_ARGUMENT naming the offending flag.
absl::Status ValidateAgentConfig(const AgentConfig& config);

class AgentServer {
 public:
  // Validates `config`, loads TLS files and sets up the engine. Nothing
  // connects or checks before Start().
  static absl::StatusOr<std::unique_ptr<AgentServer>> Create(AgentConfig config);
  // Shuts down (gracefully) if still running.
  ~AgentServer();
  AgentServer(const AgentServer&) = delete;
  AgentServer& operator=(const AgentServer&) = delete;

  // Starts the metrics listener and the check loop, and connects to the
  // coordinator. Errors (e.g. the metrics port is taken) name the flag.
  // Call once.
  absl::Status Start();
  // Says Goodbye and keeps checking until the coordinator has moved the
  // monitors away (removals + Drain; up to shutdown_grace), then stops
  // checking, sends what is buffered and waits (up to shutdown_grace again)
  // for the acks, then closes. Idempotent.
  void Shutdown();
  // Blocks until Shutdown() has finished.
  void Wait();

  const std::string& incarnation() const { return config_.incarnation; }
  // The bound metrics port; 0 when disabled or not started.
  int metrics_port() const;
  CheckRunnerStats check_stats() const { return engine_->stats(); }
  SessionStats session_stats() const { return session_->stats(); }

 private:
  explicit AgentServer(AgentConfig config) : config_(std::move(config)) {}

  void RegisterGauges();

  AgentConfig config_;
  MetricsRegistry metrics_;
  std::unique_ptr<AgentMetrics> check_metrics_;
  std::unique_ptr<CoordinatorSession> session_;
  std::unique_ptr<CheckEngineGroup> engine_;  // calls into session_ and check_metrics_
  std::unique_ptr<MetricsServer> metrics_server_;  // reads engine_ and session_

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_AGENT_SERVER_H_
