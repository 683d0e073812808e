#include "agents/agent_server.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/engine/heap_stats.h"
#include "common/config.h"
#include "common/labels.h"
#include "common/status_macros.h"
#include "spdlog/spdlog.h"

namespace uptime::agent {

absl::Status ValidateAgentConfig(const AgentConfig& config) {
  RETURN_IF_ERROR(ParseHostPort("--coordinator", config.coordinator).status());
  if (config.agent_id.empty() || config.agent_id.size() > 253) {
    return absl::InvalidArgumentError("--agent-id: must be 1..253 characters");
  }
  for (char c : config.agent_id) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError("--agent-id: no spaces or control characters");
    }
  }
  for (const auto& [key, value] : config.labels) {
    RETURN_IF_ERROR(ValidateLabel("--labels", key, value));
  }
  if (config.capacity < 1 || config.capacity > 1'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--capacity: must be 1..1000000, got ", config.capacity));
  }
  if (config.max_concurrency < 1 || config.max_concurrency > 100'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-concurrency: must be 1..100000, got ", config.max_concurrency));
  }
  if (config.http_client != "loop" && config.http_client != "curl") {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-client: must be loop or curl, got \"", config.http_client, "\""));
  }
  if (config.loops < 0 || config.loops > kMaxLoops) {
    return absl::InvalidArgumentError(absl::StrCat("--loops: must be 0 (one per core) .. ",
                                                   kMaxLoops, ", got ", config.loops));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<AgentServer>> AgentServer::Create(AgentConfig config) {
  RETURN_IF_ERROR(ValidateAgentConfig(config));
  if (config.incarnation.empty()) config.incarnation = NewIncarnation();
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(config.tls));
  std::unique_ptr<AgentServer> server(new AgentServer(std::move(config)));
  const AgentConfig& c = server->config_;
  const AgentIdentity identity{c.agent_id, c.labels};

  SessionOptions session;
  session.coordinator = c.coordinator;
  session.credentials = std::move(credentials);
  session.channel_args = MakeChannelArguments(c.tls);
  session.token = c.agent_token;
  session.identity = identity;
  session.capacity = c.capacity;
  session.incarnation = c.incarnation;
  session.buffer = c.buffer;
  server->session_ = std::make_unique<CoordinatorSession>(std::move(session));

  CheckEngineOptions engine;
  engine.identity = identity;
  engine.max_concurrency = c.max_concurrency;
  engine.http_on_loop = c.http_client == "loop";
  server->check_metrics_ = std::make_unique<AgentMetrics>(&server->metrics_);
  AgentMetrics* metrics = server->check_metrics_.get();
  CoordinatorSession* sink = server->session_.get();
  // Runs on every loop's thread: both calls are thread-safe (atomics; the
  // session's lock).
  ASSIGN_OR_RETURN(server->engine_,
                   CheckEngineGroup::Create(std::move(engine), c.loops,
                                            [metrics, sink](std::vector<v1::CheckResult> rs) {
                                              metrics->Record(rs);
                                              sink->OnResults(std::move(rs));
                                            }));
  server->RegisterGauges();
  return server;
}

void AgentServer::RegisterGauges() {
  CheckEngineGroup* engine = engine_.get();
  CoordinatorSession* session = session_.get();
  auto engine_gauge = [&](const char* name, const char* help, int64_t CheckRunnerStats::*field) {
    metrics_.AddCallbackGauge(name, help, [engine, field] {
      return static_cast<double>(engine->stats().*field);
    });
  };
  engine_gauge("uptime_agent_monitors", "Monitors assigned and scheduled", &CheckRunnerStats::monitors);
  engine_gauge("uptime_agent_checks_in_flight", "Checks running now", &CheckRunnerStats::in_flight);
  engine_gauge("uptime_agent_overruns", "Slots skipped because the previous check still ran",
               &CheckRunnerStats::overruns);
  engine_gauge("uptime_agent_skipped_slots", "Slots skipped because the agent fell behind",
               &CheckRunnerStats::skipped);
  metrics_.AddCallbackGauge("uptime_agent_connected", "1 while connected to the coordinator",
                            [session] { return session->stats().connected ? 1.0 : 0.0; });
  metrics_.AddCallbackGauge("uptime_agent_unacked_batches", "Result batches not yet acknowledged",
                            [session] { return static_cast<double>(session->stats().unacked_batches); });
  metrics_.AddCallbackGauge("uptime_agent_buffered_results", "Results waiting for an ack",
                            [session] { return static_cast<double>(session->stats().buffered_results); });
  metrics_.AddCallbackGauge("uptime_agent_dropped_results",
                            "Results dropped because the buffer was full (since start)",
                            [session] { return static_cast<double>(session->stats().dropped_results); });
  if (ReadHeapStats()) {
    // jemalloc's account (the uptime-agent binary): tells the agent's own
    // data from the allocator's overhead (bench/agent --mode=memory).
    const std::pair<const char*, int64_t HeapStats::*> kinds[] = {
        {"allocated", &HeapStats::allocated}, {"active", &HeapStats::active},
        {"metadata", &HeapStats::metadata},   {"resident", &HeapStats::resident},
        {"retained", &HeapStats::retained}};
    for (const auto& [kind, field] : kinds) {
      metrics_.AddCallbackGauge(
          "uptime_agent_heap_bytes",
          "Heap memory as jemalloc counts it: allocated (live data), active (pages holding it), "
          "metadata, resident (in RAM), retained (address space only)",
          [field] {
            std::optional<HeapStats> s = ReadHeapStats();
            return s ? static_cast<double>((*s).*field) : 0.0;
          },
          {{"kind", kind}});
    }
  }
}

int AgentServer::metrics_port() const {
  return metrics_server_ ? metrics_server_->port() : 0;
}

AgentServer::~AgentServer() { Shutdown(); }

absl::Status AgentServer::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (started_ || shutting_down_) return absl::FailedPreconditionError("already started");
  }
  if (!config_.metrics_listen.empty()) {
    CoordinatorSession* session = session_.get();
    ASSIGN_OR_RETURN(metrics_server_,
                     MetricsServer::Start({.listen = config_.metrics_listen,
                                           .registry = &metrics_,
                                           .healthy = {},
                                           .ready = [session] { return session->stats().connected; },
                                           .tls = config_.metrics_tls}));
  }
  {
    absl::MutexLock lock(&mu_);
    started_ = true;
  }
  if (config_.agent_token.empty()) {
    spdlog::warn("no --agent-token given: only a coordinator without auth will accept this agent");
  }
  spdlog::info(
      "uptime-agent {} starting: agent {}, coordinator {}, capacity {}, {} check loops, "
      "incarnation {}",
      Version(), config_.agent_id, config_.coordinator, config_.capacity, engine_->loops(),
      config_.incarnation);
  engine_->Start();
  session_->Start(engine_.get());
  return absl::OkStatus();
}

void AgentServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      mu_.Await(absl::Condition(&shut_down_));  // another caller does the work
      return;
    }
    shutting_down_ = true;
    if (!started_) {
      shut_down_ = true;
      return;
    }
  }
  spdlog::info("shutting down: saying goodbye, then flushing results");
  // The session says Goodbye and keeps checking until the coordinator moved
  // the monitors away, then stops the checks, flushes and waits for acks;
  // only then may the engine go (its callback feeds the session).
  session_->Shutdown(config_.shutdown_grace, "agent shutting down (SIGTERM)");
  engine_->Stop();
  metrics_server_.reset();
  const SessionStats s = session_->stats();
  spdlog::info("shut down: last batch {}, acked {}, {} results dropped", s.last_sequence,
               s.acked_sequence, s.dropped_results);
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
}

void AgentServer::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&shut_down_));
}

}  // namespace uptime::agent
