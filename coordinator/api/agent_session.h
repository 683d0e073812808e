// AgentSession: the server side of one agent's Connect stream.
//
// One reactor per stream, as in gRPC's callback examples: one read and one
// write in flight, outbound messages queued under a mutex, the reactor deletes
// itself in OnDone. It authenticates the agent token, registers the agent on
// its Hello, hands results to the AgentManager and acknowledges each batch
// once it is counted.
#ifndef UPTIME_COORDINATOR_API_AGENT_SESSION_H_
#define UPTIME_COORDINATOR_API_AGENT_SESSION_H_

#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/auth.h"
#include "coordinator/cluster/agent_manager.h"
#include "coordinator/cluster/session_link.h"
#include "coordinator/ingest/result_ingest.h"
#include "grpcpp/support/server_callback.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::coordinator {

class AgentSession : public grpc::ServerBidiReactor<v1::AgentMessage, v1::CoordinatorMessage>,
                     public AgentStream {
 public:
  // Outbound messages beyond this mean the agent stopped reading.
  static constexpr size_t kMaxQueuedMessages = 10'000;

  AgentSession(grpc::CallbackServerContext* ctx, const TokenAuthorizer& auth, AgentManager* manager,
               ResultIngest* ingest);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  void Enqueue(v1::CoordinatorMessage message) override;
  void Close(const grpc::Status& status) override;

 private:
  void Dispatch();
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  AgentManager* const manager_;
  ResultIngest* const ingest_;
  const std::shared_ptr<SessionLink> link_;
  const std::string peer_;
  // Set on Hello; only the reactor's read path touches it.
  std::string agent_id_;
  v1::AgentMessage in_;

  absl::Mutex mu_;
  std::deque<v1::CoordinatorMessage> out_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_AGENT_SESSION_H_
