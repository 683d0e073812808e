#include "coordinator/api/agent_session.h"

#include "common/grpc_status.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {

AgentSession::AgentSession(grpc::CallbackServerContext* ctx, const TokenAuthorizer& auth,
                           AgentManager* manager, ResultIngest* ingest)
    : manager_(manager),
      ingest_(ingest),
      link_(std::make_shared<SessionLink>(this)),
      peer_(ctx->peer()) {
  if (grpc::Status s = auth.Check(*ctx, Scope::kAgent); !s.ok()) {
    spdlog::warn("agent stream from {} refused: {}", peer_, s.error_message());
    Close(s);
    return;
  }
  StartRead(&in_);
}

void AgentSession::OnReadDone(bool ok) {
  if (!ok) {
    // The agent closed its side or the connection broke.
    Close(grpc::Status::OK);
    return;
  }
  Dispatch();
  absl::MutexLock lock(&mu_);
  if (!finished_) StartRead(&in_);
}

void AgentSession::Dispatch() {
  if (agent_id_.empty()) {
    if (!in_.has_hello()) {
      Close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be hello"));
      return;
    }
    if (absl::Status s = manager_->Register(in_.hello(), peer_, link_); !s.ok()) {
      Close(ToGrpcStatus(s));
      return;
    }
    agent_id_ = in_.hello().agent_id();
    return;
  }
  switch (in_.kind_case()) {
    case v1::AgentMessage::kResults: {
      absl::StatusOr<std::optional<uint64_t>> ack =
          ingest_->OnResults(agent_id_, link_.get(), in_.mutable_results());
      if (!ack.ok()) {
        Close(ToGrpcStatus(ack.status()));
        return;
      }
      if (ack->has_value()) {  // otherwise acked once durable
        v1::CoordinatorMessage message;
        message.mutable_ack()->set_sequence(**ack);
        Enqueue(std::move(message));
      }
      return;
    }
    case v1::AgentMessage::kHeartbeat:
      manager_->OnHeartbeat(agent_id_, link_.get(), in_.heartbeat());
      return;
    case v1::AgentMessage::kGoodbye:
      manager_->OnGoodbye(agent_id_, link_.get(), in_.goodbye().reason());
      return;
    case v1::AgentMessage::kHello:
      Close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "hello sent twice on one stream"));
      return;
    case v1::AgentMessage::KIND_NOT_SET:
      Close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty agent message"));
      return;
  }
}

void AgentSession::Enqueue(v1::CoordinatorMessage message) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  if (out_.size() >= kMaxQueuedMessages) {
    spdlog::warn("agent {} is not reading its stream: closing it", agent_id_);
    finished_ = true;
    Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "outbound queue full"));
    return;
  }
  out_.push_back(std::move(message));
  WriteNextLocked();
}

void AgentSession::WriteNextLocked() {
  if (writing_ || out_.empty() || finished_) return;
  writing_ = true;
  // std::deque keeps element addresses stable across push_back.
  StartWrite(&out_.front());
}

void AgentSession::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) return;  // the stream is broken; the pending read will fail too
  out_.pop_front();
  WriteNextLocked();
}

void AgentSession::Close(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  finished_ = true;
  Finish(status);
}

void AgentSession::OnCancel() { Close(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }

void AgentSession::OnDone() {
  if (!agent_id_.empty()) manager_->Unregister(agent_id_, link_.get());
  link_->Detach();
  delete this;
}

}  // namespace uptime::coordinator
