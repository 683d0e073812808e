#include "gateway/gateway_config.h"

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/config.h"
#include "common/flags.h"
#include "common/status_macros.h"
#include "gateway/http_server.h"

namespace uptime::gateway {

void AddGatewayFlags(CLI::App& app, GatewayConfig& c, RawFlags& raw) {
  AddLogFlags(app, c.log);
  AddFlag(app, "listen", c.listen, "HOST:PORT for HTTP(S): API, events, dashboard, /metrics");
  AddFlag(app, "coordinator", c.coordinator, "HOST:PORT of the coordinator's API");
  AddFlag(app, "token", c.token,
          "READ token for the status snapshot and event stream (callers' own tokens are "
          "forwarded for everything else)");
  AddFlag(app, "token-file", raw.token_file, "file holding --token");
  AddFlag(app, "redis", c.redis,
          "Redis HOST:PORT: status at start when the coordinator is unreachable; the "
          "gateway records monitors' labels there for that (optional)");
  AddSwitch(app, "coordinator-tls", c.coordinator_tls.enabled, "connect to the coordinator with TLS");
  AddFlag(app, "coordinator-tls-ca", c.coordinator_tls.ca_file,
          "PEM CA bundle to verify the coordinator");
  AddFlag(app, "coordinator-tls-cert", c.coordinator_tls.cert_file,
          "PEM client certificate for the coordinator (mutual TLS)");
  AddFlag(app, "coordinator-tls-key", c.coordinator_tls.key_file,
          "PEM private key of --coordinator-tls-cert");
  AddFlag(app, "coordinator-tls-server-name", c.coordinator_tls.server_name,
          "name to verify in the coordinator's certificate");
  AddFlag(app, "tls-cert", c.tls.cert_file, "PEM certificate: serve HTTPS (with --tls-key)");
  AddFlag(app, "tls-key", c.tls.key_file, "PEM private key of --tls-cert");
  AddFlag(app, "threads", c.threads, "I/O threads, one io_context each (0: one per core)");
  AddFlag(app, "frame-ancestors", c.frame_ancestors,
          "CSP frame-ancestors: who may embed the pages in a frame");
  AddFlag(app, "max-header-bytes", c.max_header_bytes, "largest request head accepted");
  AddFlag(app, "max-body-bytes", c.max_body_bytes, "largest request body accepted");
  AddFlag(app, "max-connections", c.max_connections, "open connections at most");
  AddFlag(app, "idle-timeout", raw.idle_timeout,
          "time a connection may wait for and send a request head");
  AddFlag(app, "read-timeout", raw.read_timeout, "time to send a request body");
  AddFlag(app, "rpc-timeout", raw.rpc_timeout, "deadline of each coordinator call");
  AddFlag(app, "reload-interval", raw.reload_interval,
          "full status snapshot reload period (events keep it current in between)");
  AddFlag(app, "role-cache-ttl", raw.role_cache_ttl,
          "how long a caller's role is reused for status reads and events (0s: ask every "
          "time); a revoked key or ended session may read for this long, at most 1s");
  AddSwitch(app, "trust-forwarded-for", c.trust_forwarded_for,
            "behind a reverse proxy: sign-in takes the client address from the first "
            "X-Forwarded-For entry and HTTPS (Secure cookies) from X-Forwarded-Proto");
  AddFlag(app, "sse-replay", c.sse_replay, "events kept for Last-Event-ID resume");
  AddFlag(app, "sse-max-queued", c.sse_max_queued,
          "events queued for one SSE client before it is disconnected as too slow");
  AddFlag(app, "results-stream", c.results_stream,
          "check results for event clients with include_results=true: off (refused), on-demand "
          "(streamed from the coordinator while a client wants them: the gateway then handles "
          "the whole fleet's checks/s), always (also keeps every last_result live)");
  AddFlag(app, "results-linger", raw.results_linger,
          "on-demand: how long the results stream stays open after the last client wanting "
          "results left");
  // No environment fallback: a stray variable must never stop a server.
  app.add_flag("--check-config", raw.check_config,
               "validate flags, UPTIME_* variables and files, print 'config ok', exit (0, or 2 "
               "on error); opens no socket");
}

namespace {

absl::Status ParseDurationFlag(const char* flag, const std::string& text, absl::Duration min,
                               absl::Duration* out) {
  if (!absl::ParseDuration(text, out) || *out < min) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": expected a duration of at least ", absl::FormatDuration(min),
        " (e.g. 10s), got '", text, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FinishConfig(const RawFlags& raw, GatewayConfig* c) {
  ASSIGN_OR_RETURN(c->token, ResolveToken("token", c->token, raw.token_file));
  RETURN_IF_ERROR(ParseHostPort("--listen", c->listen, /*allow_port_zero=*/true).status());
  RETURN_IF_ERROR(ParseHostPort("--coordinator", c->coordinator).status());
  if (!c->redis.empty()) RETURN_IF_ERROR(ParseHostPort("--redis", c->redis).status());
  RETURN_IF_ERROR(ParseDurationFlag("idle-timeout", raw.idle_timeout, absl::Seconds(1),
                                    &c->idle_timeout));
  RETURN_IF_ERROR(ParseDurationFlag("read-timeout", raw.read_timeout, absl::Seconds(1),
                                    &c->read_timeout));
  RETURN_IF_ERROR(ParseDurationFlag("rpc-timeout", raw.rpc_timeout, absl::Milliseconds(100),
                                    &c->rpc_timeout));
  RETURN_IF_ERROR(ParseDurationFlag("reload-interval", raw.reload_interval, absl::Seconds(1),
                                    &c->reload_interval));
  RETURN_IF_ERROR(ParseDurationFlag("results-linger", raw.results_linger, absl::ZeroDuration(),
                                    &c->results_linger));
  if (c->results_stream != "off" && c->results_stream != "on-demand" &&
      c->results_stream != "always") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--results-stream: expected off, on-demand or always, got '", c->results_stream, "'"));
  }
  if (!absl::ParseDuration(raw.role_cache_ttl, &c->role_cache_ttl) ||
      c->role_cache_ttl < absl::ZeroDuration() || c->role_cache_ttl > absl::Seconds(1)) {
    // Longer would break the promise that revocation takes effect within 1 s.
    return absl::InvalidArgumentError(absl::StrCat(
        "--role-cache-ttl: expected a duration of 0s..1s (e.g. 500ms), got '",
        raw.role_cache_ttl, "'"));
  }
  if (c->threads < 0 || c->threads > 256) {
    return absl::InvalidArgumentError("--threads: must be 0..256");
  }
  if (c->threads == 0) c->threads = std::max(1u, std::thread::hardware_concurrency());
  if (c->max_header_bytes < 1024 || c->max_header_bytes > 1024 * 1024) {
    return absl::InvalidArgumentError("--max-header-bytes: must be 1024..1048576");
  }
  if (c->max_body_bytes > 64 * 1024 * 1024) {
    return absl::InvalidArgumentError("--max-body-bytes: must be at most 67108864");
  }
  if (c->max_connections < 1) return absl::InvalidArgumentError("--max-connections: must be >= 1");
  if (c->sse_replay < 1 || c->sse_replay > 1'000'000) {
    return absl::InvalidArgumentError("--sse-replay: must be 1..1000000");
  }
  if (c->sse_max_queued < 1 || c->sse_max_queued > 100'000) {
    return absl::InvalidArgumentError("--sse-max-queued: must be 1..100000");
  }
  for (char ch : c->frame_ancestors) {
    if (ch == ';' || ch == ',' || ch == '\r' || ch == '\n' || ch < 0x20) {
      return absl::InvalidArgumentError(
          "--frame-ancestors: a CSP source list (e.g. 'self' https://intranet.example)");
    }
  }
  if (c->token.empty()) {
    return absl::InvalidArgumentError(
        "--token: a read token is required for the status snapshot and events (or "
        "--token-file)");
  }
  for (char ch : c->token) {
    if (ch <= 0x20 || ch > 0x7e) {
      return absl::InvalidArgumentError("--token: must be printable ASCII without spaces");
    }
  }
  if (absl::Status s = MakeChannelCredentials(c->coordinator_tls).status(); !s.ok()) {
    // common/tls names the agent's flags; say which of ours they are.
    return absl::InvalidArgumentError(
        absl::StrCat("--coordinator-tls*: ", s.message()));
  }
  RETURN_IF_ERROR(ValidateServerTls(c->tls));
  return absl::OkStatus();
}

}  // namespace uptime::gateway
