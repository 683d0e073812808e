// CoordinatorSession: the agent's stream to the coordinator
// (uptime.v1.AgentService/Connect).
//
// One stream at a time. On each: Hello first, then every unacked result batch
// again (original sequence numbers), then new batches as results arrive, and
// a Heartbeat every heartbeat interval. Assignments from the coordinator go
// to the CheckRunner; Acks release batches; Drain stops the checks, flushes,
// closes the stream and reconnects. A broken stream (coordinator killed,
// network cut, keepalive timeout) is retried with exponential backoff and
// jitter; the checks keep running meanwhile and their results wait in the
// bounded ResultBuffer, so a coordinator restart loses none.
//
// Threads: a connection thread (opens streams, reads) and, per stream, a
// writer thread (the only one that writes). Every shared field is guarded by
// mu_; no lock is held across a gRPC call or a CheckRunner call.
//
// Example:
//   CoordinatorSession session(options);
//   engine = CheckEngine::Create(..., [&](auto rs) { session.OnResults(std::move(rs)); });
//   session.Start(engine.get());
//   ...
//   session.Shutdown(absl::Seconds(5));
#ifndef UPTIME_AGENTS_SESSION_COORDINATOR_SESSION_H_
#define UPTIME_AGENTS_SESSION_COORDINATOR_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agents/engine/check_runner.h"
#include "agents/checkers/check_spec.h"
#include "agents/session/result_buffer.h"
#include "grpcpp/grpcpp.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::agent {

struct SessionOptions {
  std::string coordinator;  // HOST:PORT
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  grpc::ChannelArguments channel_args;
  std::string token;        // agent token, sent as a bearer token
  AgentIdentity identity;
  int capacity = 100;
  std::string incarnation;  // random per process; see NewIncarnation()
  ResultBufferOptions buffer;
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(10);
  // Until an Assignment names one.
  absl::Duration default_heartbeat = absl::Seconds(1);
};

struct SessionStats {
  bool connected = false;  // a stream is open and the coordinator answered
  int64_t connects = 0;    // streams on which an Assignment arrived
  uint64_t last_sequence = 0;
  uint64_t acked_sequence = 0;
  size_t unacked_batches = 0;
  size_t buffered_results = 0;
  int64_t dropped_results = 0;
};

// 16 random hex digits, for Hello.incarnation.
std::string NewIncarnation();

class CoordinatorSession {
 public:
  explicit CoordinatorSession(SessionOptions options);
  // Shuts down at once (no grace) if still running.
  ~CoordinatorSession();
  CoordinatorSession(const CoordinatorSession&) = delete;
  CoordinatorSession& operator=(const CoordinatorSession&) = delete;

  // Starts connecting; assignments go to `runner`, which must outlive the
  // session's Shutdown(). Call once.
  void Start(CheckRunner* runner);

  // Takes finished checks for sending. Thread-safe, quick (the engine
  // thread calls it).
  void OnResults(std::vector<v1::CheckResult> results);

  // Graceful stop in two phases, each up to `grace`:
  //  1. if connected, says Goodbye{reason} and keeps checking until the
  //     coordinator has moved the monitors away (its removals, then Drain),
  //     so no slot goes unchecked while they move;
  //  2. ignores further assignments, stops the checks, waits for running
  //     ones, sends every result and waits for the acks (reconnecting if
  //     needed); then closes the stream. Idempotent.
  void Shutdown(absl::Duration grace, std::string reason = "shutting down");

  SessionStats stats() const;

 private:
  void RunConnections();
  // One stream from open to close; true if the coordinator answered and the
  // stream lasted (then backoff starts over).
  bool RunStream();
  void WriteLoop(grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>* stream,
                 grpc::ClientContext* context, uint64_t stream_id);
  // Takes what it needs out of `message` (an assignment's monitors are
  // moved, not copied: 10^5 of them are tens of MB).
  void Handle(v1::CoordinatorMessage& message);
  void HandleAssignment(v1::Assignment& assignment);
  v1::AgentMessage MakeHeartbeat(absl::Time now, const CheckRunnerStats& runner)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration NextBackoff() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SessionOptions options_;
  CheckRunner* runner_ = nullptr;  // set by Start()

  mutable absl::Mutex mu_;
  ResultBuffer buffer_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;  // of the open stream
  uint64_t stream_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool stream_open_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;   // Drain received on this stream
  absl::Time drain_deadline_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;    // Shutdown() phase 2: flush everything
  // Shutdown() phase 1: Goodbye to send / sent; Drain answered it.
  bool leaving_ ABSL_GUARDED_BY(mu_) = false;
  bool goodbye_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool goodbye_drained_ ABSL_GUARDED_BY(mu_) = false;
  std::string goodbye_reason_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;    // no more streams
  bool shutdown_done_ ABSL_GUARDED_BY(mu_) = false;  // Shutdown() returned
  int64_t connects_ ABSL_GUARDED_BY(mu_) = 0;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;        // consecutive failed streams
  absl::Duration heartbeat_ ABSL_GUARDED_BY(mu_);
  int64_t heartbeat_changes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t hb_completed_ ABSL_GUARDED_BY(mu_) = 0;  // runner's completed count at last heartbeat
  absl::Time hb_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  std::thread thread_;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_SESSION_COORDINATOR_SESSION_H_
