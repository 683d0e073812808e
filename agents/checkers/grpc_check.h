// gRPC health checks (grpc.health.v1.Health/Check) for the CheckEngine.
//
// gRPC brings its own I/O threads, so the call cannot join the loop's epoll;
// instead each check issues one call with the callback API (deadline = the
// monitor's timeout) on a fresh channel (own subchannel pool: a new
// connection per check, like HTTP), and the completion is posted back to the
// loop through its LoopMailbox. Success only on SERVING.
#ifndef UPTIME_AGENTS_CHECKERS_GRPC_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_GRPC_CHECK_H_

#include <memory>

#include "agents/checkers/loop_check.h"
#include "grpcpp/grpcpp.h"

namespace uptime::agent {

// The ErrorKind of a failed health call.
v1::ErrorKind ClassifyGrpcStatus(const grpc::Status& status);

class GrpcCheck final : public LoopCheck {
 public:
  using LoopCheck::LoopCheck;
  // Cancels a call still running; its completion then finds no owner.
  ~GrpcCheck() override;

  void Start(LoopIo& io) override;

 private:
  struct Call;  // lives until gRPC's completion callback has run
  std::shared_ptr<Call> call_;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_GRPC_CHECK_H_
