// uptime-agent: parses flags into an AgentConfig and runs it until SIGTERM
// or SIGINT, then shuts down gracefully (results flushed) and exits 0.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "agents/agent_server.h"
#include "common/auth.h"
#include "common/config.h"
#include "common/flags.h"
#include "common/metrics_server.h"
#include "common/logging.h"
#include "common/signals.h"
#include "common/tls.h"
#include "spdlog/spdlog.h"

// jemalloc's options (read at its start; the binary links jemalloc, see
// agents/CMakeLists.txt), for DESIGN §6's 1 KiB per monitor. bench/agent
// --mode=memory, 10k HTTP monitors checked at 1 s: 1303 -> 1074 bytes per
// monitor while checking, mostly freed pages jemalloc kept resident:
//  - background_thread: purges on time, not only when an arena allocates
//    again, so an idle arena (the gRPC thread's, after an assignment) does
//    not keep its freed pages;
//  - dirty_decay_ms 1 s (default 10 s): the churn of 20k checks/s leaves
//    a tenth of the freed pages resident;
//  - narenas 2 (default 4 per core): the loops and gRPC threads share
//    fewer arenas, so fewer half-empty pages; the per-thread caches keep
//    the arena locks off the hot path.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,narenas:2";
}

namespace {

int Fail(const absl::Status& s) {
  spdlog::critical("{}", s.message());
  return 2;
}

// --check-config reports on stderr without log decoration, so scripts and
// tests read the flag's name first.
int FailCheck(const absl::Status& s) {
  std::fprintf(stderr, "uptime-agent: %s\n", std::string(s.message()).c_str());
  return 2;
}

// What AgentServer::Create() and Start() would find wrong, found without
// opening a socket or connecting anywhere.
absl::Status CheckWithoutServing(const uptime::agent::AgentConfig& config) {
  using namespace uptime;
  if (absl::Status s = agent::ValidateAgentConfig(config); !s.ok()) return s;
  if (!config.metrics_listen.empty()) {
    absl::Status s = ParseHostPort("--metrics-listen", config.metrics_listen, true).status();
    if (!s.ok()) return s;
  }
  if (absl::Status s = MakeChannelCredentials(config.tls).status(); !s.ok()) return s;
  if (absl::Status s = ValidateMetricsTls(config.metrics_tls); !s.ok()) return s;
  return absl::OkStatus();
}

// Each check in flight holds a socket: allow as many descriptors as the
// hard limit permits rather than the usual soft 1024.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace uptime;
  BlockTerminationSignals();
  IgnoreBrokenPipes();
  CLI::App app{"uptime-agent: runs the checks the coordinator assigns and streams back results"};
  agent::AgentConfig config;
  config.agent_id = HostName("");
  LogOptions log;
  std::string labels, token_file, grace = "5s";
  AddLogFlags(app, log);
  AddFlag(app, "coordinator", config.coordinator, "HOST:PORT of the coordinator");
  AddFlag(app, "agent-id", config.agent_id, "unique agent id (default: host name)");
  AddFlag(app, "labels", labels, "agent labels k=v,... (e.g. region=eu-west,zone=b)");
  AddFlag(app, "agent-token", config.agent_token, "bearer token for the agent protocol");
  AddFlag(app, "agent-token-file", token_file, "file holding the agent token");
  AddFlag(app, "capacity", config.capacity, "relative share of monitors (sharding weight)");
  AddFlag(app, "max-concurrency", config.max_concurrency, "checks running at once, at most");
  AddFlag(app, "loops", config.loops,
          "event loops (threads) running checks, monitors split among them by id; 0: one per "
          "core (capped by the container's CPU limit)");
  AddFlag(app, "http-client", config.http_client,
          "plain-HTTP checks: loop (own sockets, fewest system calls) or curl; HTTPS is curl's");
  AddFlag(app, "metrics-listen", config.metrics_listen,
          "HOST:PORT for Prometheus /metrics, /healthz and /readyz (empty: off)");
  AddMetricsTlsFlags(app, config.metrics_tls);
  AddFlag(app, "shutdown-grace", grace, "on SIGTERM, time to finish checks and get acks");
  AddSwitch(app, "tls", config.tls.enabled, "connect to the coordinator with TLS");
  AddFlag(app, "tls-ca", config.tls.ca_file, "PEM CA bundle to verify the coordinator");
  AddFlag(app, "tls-cert", config.tls.cert_file, "PEM client certificate (mutual TLS)");
  AddFlag(app, "tls-key", config.tls.key_file, "PEM private key of --tls-cert");
  AddFlag(app, "tls-server-name", config.tls.server_name,
          "name to verify in the coordinator's certificate");
  // No environment fallback: a stray variable must never stop an agent.
  bool check_config = false;
  app.add_flag("--check-config", check_config,
               "validate every flag, UPTIME_* variable and file (token, certificates), print "
               "'config ok' and exit 0, or the error and exit 2; opens no socket");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; every bad flag or value exits 2, as the checks below do.
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (absl::Status s = InitLogging(log, "agent"); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (check_config) {
    if (absl::Status s = CheckUnknownEnvironment(app); !s.ok()) return FailCheck(s);
  }
  auto fail = [check_config](const absl::Status& s) {
    return check_config ? FailCheck(s) : Fail(s);
  };
  absl::StatusOr<std::map<std::string, std::string>> parsed = ParseLabels("--labels", labels);
  if (!parsed.ok()) return fail(parsed.status());
  config.labels = *std::move(parsed);
  absl::StatusOr<std::string> token =
      ResolveToken("agent-token", config.agent_token, token_file);
  if (!token.ok()) return fail(token.status());
  config.agent_token = *std::move(token);
  if (!absl::ParseDuration(grace, &config.shutdown_grace) ||
      config.shutdown_grace < absl::ZeroDuration()) {
    return fail(absl::InvalidArgumentError("--shutdown-grace: not a duration (e.g. 5s)"));
  }
  if (check_config) {
    if (absl::Status s = CheckWithoutServing(config); !s.ok()) return FailCheck(s);
    std::printf("config ok\n");
    return 0;
  }
  RaiseFileLimit();

  auto server = agent::AgentServer::Create(std::move(config));
  if (!server.ok()) return Fail(server.status());
  if (absl::Status s = (*server)->Start(); !s.ok()) return Fail(s);

  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: shutting down", sig);
  (*server)->Shutdown();
  return 0;
}
