// GatewayServer: uptime-gateway, built from a GatewayConfig with its parts
// in dependency order: the channel to the coordinator, the snapshot and the
// event hub, the Upstream feeding them, the handler, the HTTP server.
//
// Example:
//   ASSIGN_OR_RETURN(auto server, GatewayServer::Create(config, RealClock::Get()));
//   RETURN_IF_ERROR(server->Start());
//   ... WaitForTerminationSignal() ...
//   server->Stop();
//
// Thread-safety: Start()/Stop() from one thread.
#ifndef UPTIME_GATEWAY_GATEWAY_SERVER_H_
#define UPTIME_GATEWAY_GATEWAY_SERVER_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "gateway/gateway_config.h"

namespace uptime::gateway {

class GatewayServer {
 public:
  // `config` must have been through FinishConfig().
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Create(const GatewayConfig& config,
                                                               Clock* clock);
  ~GatewayServer();

  absl::Status Start();
  void Stop();
  int port() const;

 private:
  struct Components;
  explicit GatewayServer(std::unique_ptr<Components> components);
  std::unique_ptr<Components> components_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_GATEWAY_SERVER_H_
