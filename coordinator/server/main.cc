// uptime-coordinator: parses flags into a CoordinatorConfig and runs it.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/auth.h"
#include "common/config.h"
#include "common/flags.h"
#include "common/metrics_server.h"
#include "common/logging.h"
#include "common/signals.h"
#include "common/tls.h"
#include "coordinator/server/coordinator_server.h"
#include "coordinator/server/leadership.h"
#include "libpq-fe.h"
#include "spdlog/spdlog.h"

namespace {

int Fail(const absl::Status& s) {
  spdlog::critical("{}", s.message());
  return 2;
}

// --check-config reports on stderr without log decoration, so scripts and
// tests read the flag's name first.
int FailCheck(const absl::Status& s) {
  std::fprintf(stderr, "uptime-coordinator: %s\n", std::string(s.message()).c_str());
  return 2;
}

// What Create() and Start() would find wrong, found without opening a socket
// or connecting anywhere: addresses, token rules, TLS files, the DSN's syntax.
absl::Status CheckWithoutServing(const uptime::coordinator::CoordinatorConfig& config) {
  using namespace uptime;
  if (absl::Status s = ParseHostPort("--listen", config.listen).status(); !s.ok()) return s;
  if (!config.metrics_listen.empty()) {
    absl::Status s = ParseHostPort("--metrics-listen", config.metrics_listen, true).status();
    if (!s.ok()) return s;
  }
  if (config.tokens.admin.empty() && !config.insecure_no_auth) {
    return absl::InvalidArgumentError(
        "--admin-token (or --admin-token-file) is required; pass --insecure-no-auth to run "
        "without authentication");
  }
  if (absl::Status s = coordinator::Leadership::Validate({.grace = config.leader_lock_grace});
      !s.ok()) {
    return s;
  }
  if (config.heartbeat_interval < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError("--heartbeat-interval: must be at least 100ms");
  }
  if (absl::Status s = MakeServerCredentials(config.tls).status(); !s.ok()) return s;
  if (absl::Status s = ValidateMetricsTls(config.metrics_tls); !s.ok()) return s;
  if (!config.postgres_dsn.empty()) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(config.postgres_dsn.c_str(), &error);
    if (options == nullptr) {
      std::string why = error != nullptr ? error : "out of memory";
      PQfreemem(error);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      return absl::InvalidArgumentError(absl::StrCat("--postgres: ", why));
    }
    PQconninfoFree(options);
  }
  if (!config.dashboard_url.empty() && !absl::StartsWith(config.dashboard_url, "http://") &&
      !absl::StartsWith(config.dashboard_url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dashboard-url: must start with http:// or https://, got '", config.dashboard_url, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace uptime;
  BlockTerminationSignals();
  IgnoreBrokenPipes();
  CLI::App app{"uptime-coordinator: shards monitors over agents, decides UP/DOWN, serves the API"};
  coordinator::CoordinatorConfig config;
  LogOptions log;
  std::string admin_token_file, read_token_file, agent_token_file;
  std::string heartbeat = "1s";
  std::string storm_window = "10s";
  std::string bulk_uptime_interval = "60s";
  std::string lock_grace = "7s";
  std::string bootstrap_password_file;
  std::string session_idle = "12h";
  std::string session_max_age = "168h";
  AddLogFlags(app, log);
  AddFlag(app, "listen", config.listen, "HOST:PORT for the public API and the agent protocol");
  AddFlag(app, "metrics-listen", config.metrics_listen,
          "HOST:PORT for Prometheus /metrics, /healthz and /readyz (empty: off)");
  AddMetricsTlsFlags(app, config.metrics_tls);
  AddFlag(app, "admin-token", config.tokens.admin, "bearer token with the admin scope");
  AddFlag(app, "admin-token-file", admin_token_file, "file holding the admin token");
  AddFlag(app, "read-token", config.tokens.read, "bearer token with the read scope");
  AddFlag(app, "read-token-file", read_token_file, "file holding the read token");
  AddFlag(app, "agent-token", config.tokens.agent, "bearer token agents present");
  AddFlag(app, "agent-token-file", agent_token_file, "file holding the agent token");
  AddFlag(app, "bootstrap-admin", config.bootstrap_admin,
          "username of the first admin, created at start when no user exists yet");
  AddFlag(app, "bootstrap-admin-password-file", bootstrap_password_file,
          "file holding the first admin's password (12..1024 characters)");
  AddFlag(app, "session-idle-timeout", session_idle,
          "a dashboard session ends after this long unused (e.g. 12h)");
  AddFlag(app, "session-max-age", session_max_age,
          "a dashboard session ends this long after sign-in at the latest (e.g. 168h)");
  AddSwitch(app, "insecure-no-auth", config.insecure_no_auth,
            "accept every call without a token (never in production)");
  AddFlag(app, "tls-cert", config.tls.cert_file, "PEM server certificate (enables TLS)");
  AddFlag(app, "tls-key", config.tls.key_file, "PEM private key of --tls-cert");
  AddFlag(app, "tls-client-ca", config.tls.client_ca_file,
          "PEM CA bundle: require client certificates it signed (mutual TLS)");
  AddFlag(app, "postgres", config.postgres_dsn,
          "PostgreSQL connection string (e.g. 'host=db user=uptime dbname=uptime'); "
          "empty keeps everything in memory");
  AddFlag(app, "redis", config.redis, "Redis HOST:PORT for live status and history (optional)");
  AddFlag(app, "raw-retention-days", config.raw_retention_days,
          "days raw results are kept (uptime buckets are kept longer)")
      ->check(CLI::Range(1, 3650));
  AddFlag(app, "dashboard-url", config.dashboard_url,
          "base URL of the dashboard, for links in alerts");
  AddFlag(app, "alert-storm-threshold", config.alert_storm_threshold,
          "alert messages a channel gets per --alert-storm-window before the rest are grouped "
          "into one message (0: always group)")
      ->check(CLI::Range(0, 1000));
  AddFlag(app, "alert-storm-window", storm_window,
          "the window of --alert-storm-threshold (e.g. 10s)");
  AddFlag(app, "bulk-uptime-interval", bulk_uptime_interval,
          "how often the 24h uptime of every monitor (StatusService.ListUptime, the dashboard's "
          "uptime column) is recomputed from the roll-ups (1s..1h)");
  AddFlag(app, "leader-lock-grace", lock_grace,
          "how long a leader whose PostgreSQL lock session ended keeps leading while it takes the "
          "lock back (0s..8s); another coordinator holding it stops this one at once");
  AddFlag(app, "coordinator-id", config.coordinator_id, "instance id (default: host name)");
  AddFlag(app, "heartbeat-interval", heartbeat,
          "how often agents send heartbeats; 3 missed and an agent is presumed dead");
  // No environment fallback: a stray variable must never stop a server.
  bool check_config = false;
  app.add_flag("--check-config", check_config,
               "validate every flag, UPTIME_* variable and file (tokens, certificates), print "
               "'config ok' and exit 0, or the error and exit 2; opens no socket");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every bad flag or value exits 2, as the
    // checks below do.
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (absl::Status s = InitLogging(log, "coordinator"); !s.ok()) {
    fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (check_config) {
    if (absl::Status s = CheckUnknownEnvironment(app); !s.ok()) return FailCheck(s);
  }
  auto fail = [check_config](const absl::Status& s) {
    return check_config ? FailCheck(s) : Fail(s);
  };
  for (auto [name, value, file] : {std::tuple{"admin-token", &config.tokens.admin, &admin_token_file},
                                   std::tuple{"read-token", &config.tokens.read, &read_token_file},
                                   std::tuple{"agent-token", &config.tokens.agent, &agent_token_file}}) {
    absl::StatusOr<std::string> token = ResolveToken(name, *value, *file);
    if (!token.ok()) return fail(token.status());
    *value = *token;
  }
  if (config.bootstrap_admin.empty() != bootstrap_password_file.empty()) {
    return fail(absl::InvalidArgumentError(
        "--bootstrap-admin and --bootstrap-admin-password-file go together"));
  }
  if (!bootstrap_password_file.empty()) {
    absl::StatusOr<std::string> password =
        ResolveToken("bootstrap-admin-password", "", bootstrap_password_file);
    if (!password.ok()) return fail(password.status());
    config.bootstrap_admin_password = *password;
  }
  if (!absl::ParseDuration(session_idle, &config.session_idle_timeout) ||
      config.session_idle_timeout < absl::Minutes(1)) {
    return fail(absl::InvalidArgumentError(
        "--session-idle-timeout: must be a duration of at least 1m (e.g. 12h)"));
  }
  if (!absl::ParseDuration(session_max_age, &config.session_max_age) ||
      config.session_max_age < config.session_idle_timeout ||
      config.session_max_age > absl::Hours(24 * 365)) {
    return fail(absl::InvalidArgumentError(
        "--session-max-age: must be a duration between --session-idle-timeout and 8760h"));
  }
  if (!absl::ParseDuration(heartbeat, &config.heartbeat_interval)) {
    return fail(absl::InvalidArgumentError("--heartbeat-interval: not a duration (e.g. 1s)"));
  }
  if (!absl::ParseDuration(lock_grace, &config.leader_lock_grace)) {
    return fail(absl::InvalidArgumentError("--leader-lock-grace: not a duration (e.g. 7s)"));
  }
  if (!absl::ParseDuration(storm_window, &config.alert_storm_window) ||
      config.alert_storm_window < absl::ZeroDuration() ||
      config.alert_storm_window > absl::Hours(1)) {
    return fail(absl::InvalidArgumentError(
        "--alert-storm-window: must be a duration between 0s and 1h (e.g. 10s)"));
  }

  if (!absl::ParseDuration(bulk_uptime_interval, &config.uptime_summary_interval) ||
      config.uptime_summary_interval < absl::Seconds(1) ||
      config.uptime_summary_interval > absl::Hours(1)) {
    return fail(absl::InvalidArgumentError(
        "--bulk-uptime-interval: must be a duration between 1s and 1h (e.g. 60s)"));
  }

  if (!config.redis.empty()) {
    if (absl::Status s = ParseHostPort("--redis", config.redis).status(); !s.ok()) return fail(s);
  }

  if (check_config) {
    if (absl::Status s = CheckWithoutServing(config); !s.ok()) return FailCheck(s);
    std::printf("config ok\n");
    return 0;
  }

  auto server = coordinator::CoordinatorServer::Create(config, RealClock::Get());
  if (!server.ok()) return Fail(server.status());

  // Start() blocks while this coordinator stands by for the leader lock, so
  // signals are taken on their own thread: a standby just exits.
  std::atomic<bool> serving{false};
  absl::Notification stop;
  std::thread signals([&] {
    const int sig = WaitForTerminationSignal();
    spdlog::info("signal {}: shutting down", sig);
    if (!serving.load()) {
      spdlog::shutdown();
      std::_Exit(0);
    }
    stop.Notify();
  });
  signals.detach();
  if (absl::Status s = (*server)->Start(); !s.ok()) return Fail(s);
  serving = true;
  stop.WaitForNotification();
  (*server)->Shutdown();
  return 0;
}
