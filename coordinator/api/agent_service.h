// AgentServiceImpl: the gRPC entry point of the agent protocol. Each Connect
// call gets its own AgentSession reactor, which owns the stream; the session
// hands what arrives to the cluster (registration, heartbeats, goodbye) and
// to ingest (result batches).
//
// Thread-safety: thread-safe (gRPC calls Connect from its callback threads).
#ifndef UPTIME_COORDINATOR_API_AGENT_SERVICE_H_
#define UPTIME_COORDINATOR_API_AGENT_SERVICE_H_

#include "common/auth.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::coordinator {

class AgentManager;
class ResultIngest;

class AgentServiceImpl final : public v1::AgentService::CallbackService {
 public:
  // Everything passed in must outlive the service.
  AgentServiceImpl(const TokenAuthorizer* auth, AgentManager* agents, ResultIngest* ingest)
      : auth_(auth), agents_(agents), ingest_(ingest) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* Connect(
      grpc::CallbackServerContext* ctx) override;

 private:
  const TokenAuthorizer* const auth_;
  AgentManager* const agents_;
  ResultIngest* const ingest_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_AGENT_SERVICE_H_
