// MetricsServer: the small HTTP listener every component runs for
// Prometheus (`/metrics`) and orchestrators (`/healthz`, `/readyz`).
//
// Runs its own thread and io_context; requests are tiny and bounded (8 KiB,
// 5 s), so one thread is plenty. Thread-safe to construct and destroy.
#ifndef UPTIME_COMMON_METRICS_SERVER_H_
#define UPTIME_COMMON_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace uptime {

struct MetricsServerOptions {
  std::string listen;  // HOST:PORT; port 0 picks a free one
  const MetricsRegistry* registry = nullptr;
  // /healthz answers 200 while this returns true (default: always).
  std::function<bool()> healthy;
  // /readyz answers 200 while this returns true (default: always).
  std::function<bool()> ready;
};

class MetricsServer {
 public:
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
