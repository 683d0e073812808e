// bench/agent: a stand-in coordinator for benchmarking a real agent process.
//
// A gRPC AgentService on 127.0.0.1 (a free port) that speaks just enough of
// the protocol for one agent: answers Hello with an empty full assignment,
// hands out monitors when told (Assign), acks every result batch at once,
// answers Goodbye with an empty assignment and Drain (so the agent's
// graceful shutdown is quick), and keeps statistics of the results whose
// check started inside a measuring window. It stores no results, so it costs
// little next to the agent it measures.
//
// Thread-safety: all methods are thread-safe. One agent stream at a time.
#ifndef UPTIME_BENCH_AGENT_STAND_IN_COORDINATOR_H_
#define UPTIME_BENCH_AGENT_STAND_IN_COORDINATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::bench {

// What the agent reported about checks that started inside the window.
struct WindowResults {
  int64_t checks = 0;
  int64_t failures = 0;
  std::vector<int64_t> lateness_us;  // start - planned slot, sorted
  std::string first_error;           // of the first failure, if any
};

class StandInCoordinator {
 public:
  using Stream = grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>;

  // Listens on 127.0.0.1 on a port the kernel picks; agents must present
  // `token` as a bearer token.
  static absl::StatusOr<std::unique_ptr<StandInCoordinator>> Start(std::string token);
  ~StandInCoordinator();
  StandInCoordinator(const StandInCoordinator&) = delete;
  StandInCoordinator& operator=(const StandInCoordinator&) = delete;

  int port() const { return port_; }
  // Waits for an agent's Hello; false on timeout.
  bool WaitForAgent(absl::Duration timeout);
  // Sends `monitors` to the connected agent as assignment updates of at most
  // `chunk` monitors each (one message of 100k monitors would exceed gRPC's
  // default 4 MiB message limit).
  absl::Status Assign(const std::vector<v1::AssignedMonitor>& monitors, size_t chunk = 5000);
  // From now on, counts results whose check started in [begin, end); the
  // previous window's numbers are dropped.
  void SetWindow(absl::Time begin, absl::Time end);
  // Waits until a result that started at or after `t` has arrived (so every
  // check of the window has reported, results arriving in start order give
  // or take a batch delay); false on timeout.
  bool WaitForResultsAfter(absl::Time t, absl::Duration timeout);
  WindowResults TakeWindow();
  int64_t results_received();

 private:
  class Service;
  explicit StandInCoordinator(std::string token);
  grpc::Status Connect(grpc::ServerContext* context, Stream* stream);
  void Count(const v1::ResultBatch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Write(Stream* stream, const v1::CoordinatorMessage& message);

  const std::string token_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  // Serializes writes: gRPC allows one writer at a time next to the reader.
  absl::Mutex write_mu_;
  absl::Mutex mu_;
  Stream* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Assign() calls writing to stream_: the handler waits for them before
  // its stream goes away.
  int assigning_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t received_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t latest_start_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_begin_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t window_end_us_ ABSL_GUARDED_BY(mu_) = 0;
  WindowResults window_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_AGENT_STAND_IN_COORDINATOR_H_
