// SessionLink: a handle on one agent stream that outlives the stream.
//
// The gRPC reactor of an agent stream deletes itself when the stream ends, at
// a time the AgentManager does not control. The manager therefore holds this
// shared handle; the reactor detaches itself from it before deletion, after
// which Send() and Close() are no-ops. Thread-safe.
#ifndef UPTIME_COORDINATOR_CLUSTER_SESSION_LINK_H_
#define UPTIME_COORDINATOR_CLUSTER_SESSION_LINK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/status.h"
#include "uptime/v1/agent.pb.h"

namespace uptime::coordinator {

// What a stream offers the manager; implemented by the reactor.
class AgentStream {
 public:
  virtual ~AgentStream() = default;
  // Queues a message; never blocks.
  virtual void Enqueue(v1::CoordinatorMessage message) = 0;
  // Ends the stream with `status` (once; later calls are ignored).
  virtual void Close(const grpc::Status& status) = 0;
};

class SessionLink {
 public:
  explicit SessionLink(AgentStream* stream) : stream_(stream) {}

  void Send(v1::CoordinatorMessage message) {
    absl::MutexLock lock(&mu_);
    if (stream_ != nullptr) stream_->Enqueue(std::move(message));
  }

  void Close(const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    if (stream_ != nullptr) stream_->Close(status);
  }

  // Called by the stream before it goes away; waits for calls in progress.
  void Detach() {
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
  }

 private:
  absl::Mutex mu_;
  AgentStream* stream_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CLUSTER_SESSION_LINK_H_
