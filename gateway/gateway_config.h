// GatewayConfig: everything uptime-gateway is told by flags (each with an
// UPTIME_* environment fallback), and their validation.
#ifndef UPTIME_GATEWAY_GATEWAY_CONFIG_H_
#define UPTIME_GATEWAY_GATEWAY_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "common/tls.h"

// Declared, not included: CLI11 is costly to compile (see common/flags.h).
namespace CLI {
class App;
}  // namespace CLI

namespace uptime::gateway {

struct GatewayConfig {
  std::string listen = "0.0.0.0:8080";
  std::string coordinator = "localhost:7070";
  // Read token for the snapshot and the event stream only; never forwarded
  // for a caller. Resolved from --token / --token-file.
  std::string token;
  std::string redis;  // HOST:PORT, optional
  ClientTlsOptions coordinator_tls;
  ServerTlsOptions tls;  // the listener
  int threads = 0;       // 0: one per core
  LogOptions log;
  std::string frame_ancestors = "'none'";
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  int max_connections = 10'000;
  absl::Duration idle_timeout = absl::Seconds(60);
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration rpc_timeout = absl::Seconds(30);
  absl::Duration reload_interval = absl::Seconds(60);
  // How long a caller's role is reused for reads from memory (statuses,
  // events): the longest a revoked key, ended session or disabled user can
  // still read here. Half a second keeps that under 1 s with the round trip.
  absl::Duration role_cache_ttl = absl::Milliseconds(500);
  // Take the sign-in client address from X-Forwarded-For and HTTPS from
  // X-Forwarded-Proto: only behind a proxy that sets both.
  bool trust_forwarded_for = false;
  size_t sse_replay = 4096;
  size_t sse_max_queued = 256;
  // Check results for SSE clients with include_results=true (and live
  // last_result in the snapshot while they flow): "off" (refused),
  // "on-demand" (the coordinator streams every result to the gateway while
  // at least one client asked, and results_linger after), "always".
  std::string results_stream = "on-demand";
  absl::Duration results_linger = absl::Seconds(30);
};

// Flags whose values need parsing after CLI11 (durations, token files).
struct RawFlags {
  std::string token_file;
  std::string idle_timeout = "60s";
  std::string read_timeout = "10s";
  std::string rpc_timeout = "30s";
  std::string reload_interval = "60s";
  std::string role_cache_ttl = "500ms";
  std::string results_linger = "30s";
  bool check_config = false;
};

void AddGatewayFlags(CLI::App& app, GatewayConfig& config, RawFlags& raw);

// Resolves the token file and durations into `config` and validates every
// value (addresses, sizes, TLS files readable and usable). INVALID_ARGUMENT
// naming the flag. Opens no sockets.
absl::Status FinishConfig(const RawFlags& raw, GatewayConfig* config);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_GATEWAY_CONFIG_H_
