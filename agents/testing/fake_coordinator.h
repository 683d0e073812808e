// Test-only: an in-process fake of the coordinator's AgentService, shared by
// the agent tests and bench/agent.
#ifndef UPTIME_AGENTS_TESTING_FAKE_COORDINATOR_H_
#define UPTIME_AGENTS_TESTING_FAKE_COORDINATOR_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::agent {

// The bearer token agents must present unless FakeCoordinatorOptions says
// otherwise (a namespace-level constant so the options can default to it).
inline constexpr char kFakeCoordinatorToken[] = "agent-secret";

struct FakeCoordinatorOptions {
  // 0: a free port the kernel picks (see FakeCoordinator::port()).
  int port = 0;
  std::string token = kFakeCoordinatorToken;
  // Ack every result batch as soon as it arrives; false leaves acking to
  // Send(), for tests of unacked batches.
  bool auto_ack = true;
  // Hello is answered with a full assignment of these (empty: of nothing).
  std::vector<v1::AssignedMonitor> monitors;
  // Keep every batch for batches(). Benchmarks push 10-20k results/s and
  // turn it off so memory stays flat; the window statistics and
  // results_received() are kept either way.
  bool record_batches = true;
  // What the Hello answer asks for. Tests want it short to see heartbeats
  // quickly; a benchmark may want the real coordinator's slower pace.
  absl::Duration heartbeat_interval = absl::Milliseconds(100);
};

// A stand-in coordinator: a real gRPC AgentService on 127.0.0.1 speaking
// just enough of the protocol for one agent at a time, so agent code can be
// tested (and the real agent binary benchmarked) without a coordinator,
// its store and its cluster.
//
//  - Hello: answered with a full assignment of options.monitors.
//  - Results: counted, recorded (record_batches) and acked (auto_ack).
//  - Goodbye: answered like the real coordinator, after the delay given to
//    set_answer_goodbye() (the time it takes to move monitors elsewhere):
//    an assignment removing every monitor the agent holds, then Drain.
//  - Assign()/Send() push assignments and other messages from the test's
//    (or benchmark's) thread while the stream runs.
//  - A measuring window (SetWindow/TakeWindow) keeps statistics of the
//    results whose check started inside it, without storing the results.
//
// Thread-safety: every method is thread-safe, except that Kill() and the
// destructor must not run concurrently with each other.
// Ownership: the caller owns the fake (Start returns a unique_ptr);
// destroying it stops the server first, so no handler outlives it.
class FakeCoordinator {
 public:
  using Stream = grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>;
  static constexpr const char* kToken = kFakeCoordinatorToken;
  // Monitors per assignment message: one message of 100k monitors would
  // exceed gRPC's default 4 MiB message limit.
  static constexpr size_t kDefaultChunk = 5000;

  // What the agent reported about checks that started inside the window.
  struct WindowResults {
    int64_t checks = 0;
    int64_t failures = 0;
    std::vector<int64_t> lateness_us;  // start - planned slot, sorted
    std::string first_error;           // of the first failure, if any
  };

  static absl::StatusOr<std::unique_ptr<FakeCoordinator>> Start(FakeCoordinatorOptions options);
  // The agent tests' shorthand: listens on `port`; empty `monitors` assigns
  // one monitor "m1". Null if the server cannot start.
  static std::unique_ptr<FakeCoordinator> Start(int port, bool auto_ack,
                                                std::vector<v1::AssignedMonitor> monitors = {});

  ~FakeCoordinator();
  FakeCoordinator(const FakeCoordinator&) = delete;
  FakeCoordinator& operator=(const FakeCoordinator&) = delete;

  // Ends the server and every stream at once, as a killed process would.
  void Kill();

  // The port it listens on (the kernel's pick when options.port was 0).
  int port() const { return port_; }

  // Writes `msg` to the connected agent; false if none is connected or the
  // stream broke.
  bool Send(const v1::CoordinatorMessage& msg);
  // Sends `monitors` to the connected agent as assignment updates (not
  // full) of at most `chunk` monitors each.
  absl::Status Assign(const std::vector<v1::AssignedMonitor>& monitors,
                      size_t chunk = kDefaultChunk);
  // Waits for an agent's Hello; false on timeout.
  bool WaitForAgent(absl::Duration timeout);
  bool streaming();

  // Whether and when Goodbye is answered (default: at once). Not answered,
  // the agent is left to its own shutdown grace.
  void set_answer_goodbye(bool answer, absl::Duration delay = absl::ZeroDuration());

  // Everything received, in order of arrival.
  std::vector<v1::Hello> hellos();
  std::vector<v1::ResultBatch> batches();  // empty unless record_batches
  std::vector<v1::Heartbeat> heartbeats();
  // Each Goodbye with when it arrived.
  std::vector<std::pair<v1::Goodbye, absl::Time>> goodbyes();
  int64_t results_received();

  // From now on, counts results whose check started in [begin, end); the
  // previous window's numbers are dropped.
  void SetWindow(absl::Time begin, absl::Time end);
  // Waits until a result that started at or after `t` has arrived (so every
  // check of the window has reported, results arriving in start order give
  // or take a batch delay); false on timeout.
  bool WaitForResultsAfter(absl::Time t, absl::Duration timeout);
  // The window's numbers; counting stops until the next SetWindow().
  WindowResults TakeWindow();

 private:
  class Service;
  class WriteLease;

  explicit FakeCoordinator(FakeCoordinatorOptions options);
  grpc::Status Connect(grpc::ServerContext* context, Stream* stream);
  void AnswerGoodbye(Stream* stream);
  void Count(const v1::ResultBatch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Tracks which monitors the agent holds, so Goodbye can remove them all.
  void NoteAssignment(const v1::Assignment& assignment) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Write(Stream* stream, const v1::CoordinatorMessage& msg) ABSL_LOCKS_EXCLUDED(write_mu_);

  const FakeCoordinatorOptions options_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  absl::Mutex mu_;
  // Serializes writes: gRPC allows one writer at a time next to the reader,
  // and Assign()/Send() write from other threads than the handler's. Never
  // held while taking mu_.
  absl::Mutex write_mu_ ABSL_ACQUIRED_AFTER(mu_);
  Stream* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Writes in progress from other threads, per stream: a handler waits for
  // its stream's to end before returning, since its stream dies with it.
  std::map<const Stream*, int> writers_ ABSL_GUARDED_BY(mu_);
  // Ids of the monitors the agent holds, as far as this fake told it.
  std::set<std::string> assigned_ids_ ABSL_GUARDED_BY(mu_);
  bool answer_goodbye_ ABSL_GUARDED_BY(mu_) = true;
  absl::Duration goodbye_delay_ ABSL_GUARDED_BY(mu_);

  std::vector<v1::Hello> hellos_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ResultBatch> batches_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Heartbeat> heartbeats_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<v1::Goodbye, absl::Time>> goodbyes_ ABSL_GUARDED_BY(mu_);

  int64_t received_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t latest_start_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_begin_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_end_us_ ABSL_GUARDED_BY(mu_) = 0;
  WindowResults window_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_TESTING_FAKE_COORDINATOR_H_
