// Test-only: an in-process fake of the coordinator's AgentService.
#ifndef UPTIME_AGENTS_FAKE_COORDINATOR_H_
#define UPTIME_AGENTS_FAKE_COORDINATOR_H_

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::agent {

// A stand-in coordinator for agent tests: a real gRPC AgentService on
// 127.0.0.1:`port` that records what agents send, answers Hello with a full
// assignment of `monitors` (100 ms heartbeats), and, when `auto_ack`, acks
// every batch at once. It answers Goodbye like the real one (after
// `goodbye_delay`, standing for the time to move monitors): an Assignment
// removing every monitor, then Drain; set_answer_goodbye(false) ignores it.
// Kill() ends it abruptly, like a killed process.
class FakeCoordinator {
 public:
  using Stream = grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>;
  static constexpr char kToken[] = "agent-secret";

  static std::unique_ptr<FakeCoordinator> Start(int port, bool auto_ack,
                                                std::vector<v1::AssignedMonitor> monitors = {}) {
    if (monitors.empty()) monitors.emplace_back().mutable_monitor()->set_id("m1");
    auto fake = std::unique_ptr<FakeCoordinator>(new FakeCoordinator(auto_ack, std::move(monitors)));
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials());
    builder.RegisterService(&fake->service_);
    fake->server_ = builder.BuildAndStart();
    return fake->server_ ? std::move(fake) : nullptr;
  }
  // Stops the server before any member goes, so no handler runs on a
  // half-destroyed fake.
  ~FakeCoordinator() { Kill(); }

  // Ends the server and every stream at once, as a killed process would.
  void Kill() {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
    server_.reset();
  }

  // The AgentService.Connect handler (via Service below).
  grpc::Status Connect(grpc::ServerContext* ctx, Stream* stream) {
    auto auth = ctx->client_metadata().find("authorization");
    if (auth == ctx->client_metadata().end() ||
        std::string(auth->second.data(), auth->second.size()) != absl::StrCat("Bearer ", kToken)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token");
    }
    v1::AgentMessage msg;
    if (!stream->Read(&msg) || !msg.has_hello()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "Hello first");
    }
    {
      absl::MutexLock lock(&mu_);
      hellos_.push_back(msg.hello());
      v1::CoordinatorMessage assignment;
      assignment.mutable_assignment()->set_full(true);
      assignment.mutable_assignment()->set_heartbeat_interval_ms(100);
      for (const auto& m : monitors_) *assignment.mutable_assignment()->add_upserts() = m;
      stream->Write(assignment);
      stream_ = stream;
    }
    while (stream->Read(&msg)) {
      absl::MutexLock lock(&mu_);
      if (msg.has_heartbeat()) heartbeats_.push_back(msg.heartbeat());
      if (msg.has_goodbye()) {
        goodbyes_.push_back({msg.goodbye(), absl::Now()});
        if (answer_goodbye_) {
          // Sleeping under the lock is fine: the agent keeps sending (gRPC
          // buffers), and nothing else reads this fake meanwhile.
          absl::SleepFor(goodbye_delay_);
          v1::CoordinatorMessage removal;
          removal.mutable_assignment()->set_full(false);
          for (const auto& m : monitors_) {
            removal.mutable_assignment()->add_removed_ids(m.monitor().id());
          }
          stream->Write(removal);
          v1::CoordinatorMessage drain;
          drain.mutable_drain()->set_reason("monitors moved");
          stream->Write(drain);
        }
      }
      if (msg.has_results()) {
        batches_.push_back(msg.results());
        if (auto_ack_) {
          v1::CoordinatorMessage ack;
          ack.mutable_ack()->set_sequence(msg.results().sequence());
          stream->Write(ack);
        }
      }
    }
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
    return grpc::Status::OK;
  }

  bool Send(const v1::CoordinatorMessage& msg) {
    absl::MutexLock lock(&mu_);
    return stream_ != nullptr && stream_->Write(msg);
  }
  std::vector<v1::Hello> hellos() {
    absl::MutexLock lock(&mu_);
    return hellos_;
  }
  std::vector<v1::ResultBatch> batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }
  std::vector<v1::Heartbeat> heartbeats() {
    absl::MutexLock lock(&mu_);
    return heartbeats_;
  }
  void set_answer_goodbye(bool answer, absl::Duration delay = absl::ZeroDuration()) {
    absl::MutexLock lock(&mu_);
    answer_goodbye_ = answer;
    goodbye_delay_ = delay;
  }
  // Each Goodbye with when it arrived.
  std::vector<std::pair<v1::Goodbye, absl::Time>> goodbyes() {
    absl::MutexLock lock(&mu_);
    return goodbyes_;
  }
  bool streaming() {
    absl::MutexLock lock(&mu_);
    return stream_ != nullptr;
  }

 private:
  class Service final : public v1::AgentService::Service {
   public:
    explicit Service(FakeCoordinator* fake) : fake_(fake) {}
    grpc::Status Connect(grpc::ServerContext* ctx, Stream* stream) override {
      return fake_->Connect(ctx, stream);
    }

   private:
    FakeCoordinator* const fake_;
  };

  FakeCoordinator(bool auto_ack, std::vector<v1::AssignedMonitor> monitors)
      : auto_ack_(auto_ack), monitors_(std::move(monitors)) {}

  const bool auto_ack_;
  const std::vector<v1::AssignedMonitor> monitors_;
  Service service_{this};
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mu_;
  Stream* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<v1::Hello> hellos_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ResultBatch> batches_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Heartbeat> heartbeats_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<v1::Goodbye, absl::Time>> goodbyes_ ABSL_GUARDED_BY(mu_);
  bool answer_goodbye_ ABSL_GUARDED_BY(mu_) = true;
  absl::Duration goodbye_delay_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_FAKE_COORDINATOR_H_
