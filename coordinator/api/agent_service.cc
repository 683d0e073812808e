#include "coordinator/api/agent_service.h"

#include "coordinator/api/agent_session.h"

namespace uptime::coordinator {

grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>* AgentServiceImpl::Connect(
    grpc::CallbackServerContext* ctx) {
  // The session deletes itself when the stream ends (OnDone).
  return new AgentSession(ctx, *auth_, agents_, ingest_);
}

}  // namespace uptime::coordinator
