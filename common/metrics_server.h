// MetricsServer: the small HTTP listener every component runs for
// Prometheus (`/metrics`) and orchestrators (`/healthz`, `/readyz`).
//
// Runs its own thread and io_context; requests are tiny and bounded (8 KiB,
// 5 s, handshake included), so one thread is plenty. Serves HTTPS, and
// optionally requires client certificates, when `tls` is set.
// Thread-safe to construct and destroy.
#ifndef UPTIME_COMMON_METRICS_SERVER_H_
#define UPTIME_COMMON_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "common/tls.h"

// Declared, not included: CLI11 is costly to compile (see common/flags.h).
namespace CLI {
class App;
}  // namespace CLI

namespace uptime {

struct MetricsServerOptions {
  std::string listen = {};  // HOST:PORT; port 0 picks a free one
  const MetricsRegistry* registry = nullptr;
  // /healthz answers 200 while this returns true (default: always).
  std::function<bool()> healthy = {};
  // /readyz answers 200 while this returns true (default: always).
  std::function<bool()> ready = {};
  // HTTPS when a certificate is set; with client_ca_file, only clients
  // presenting a certificate it signed are served (mutual TLS).
  ServerTlsOptions tls = {};
};

// Adds --metrics-tls-cert, --metrics-tls-key and --metrics-tls-client-ca
// (with UPTIME_* fallbacks) filling `tls`.
void AddMetricsTlsFlags(CLI::App& app, ServerTlsOptions& tls);

// What StartMetricsServer would reject in `tls` (files missing, unreadable or
// not PEM; cert without key), naming the --metrics-tls-* flag; for
// --check-config, which must find it without opening a socket.
absl::Status ValidateMetricsTls(const ServerTlsOptions& tls);

class MetricsServer {
 public:
  // INVALID_ARGUMENT naming the flag for a bad address or TLS file;
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(MetricsServerOptions options);
  ~MetricsServer();

  int port() const;

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace uptime

#endif  // UPTIME_COMMON_METRICS_SERVER_H_
