// Upstream: keeps the StatusSnapshot and the EventHub fed from the
// coordinator with the gateway's own (read-only) token.
//
// One thread holds one WatchEvents stream (state changes for every monitor):
// it opens the stream, waits until the watch is in place, then loads the
// snapshot (ListMonitors for labels + ListStatuses, paged), so no change
// falls between the load and the stream. When the stream breaks (coordinator
// restart, failover to a standby) it reconnects with jittered, capped
// backoff, reloads, and tells SSE clients to resync; their connections stay
// open throughout. A second thread reloads periodically, and soon after an
// event names a monitor the snapshot does not know, to pick up creations,
// deletions and labels that state changes do not carry.
//
// Check results come on a second WatchEvents stream (include_results) for
// every monitor, held by a third thread: with ResultsMode::kOnDemand only
// while some SSE client asked for results (and `results_linger` after the
// last one left), with kAlways all the time. A separate stream because at
// a fleet's checks/s the coordinator drops events for a watcher that falls
// behind: results must never cost the state stream a gap (and a full
// reload). One stream for all clients because its cost is the fleet's
// checks/s whatever the number of clients, where per-client streams would
// multiply the coordinator's work; the EventHub filters per client. While
// results flow, each one also refreshes its monitor's `last_result` in the
// snapshot. Gaps in this stream (the coordinator dropped results for it)
// are counted, not resynced: results are not replayable anyway.
//
// When the coordinator cannot be reached before the first load and a
// fallback loader is set (Redis), the snapshot is loaded from it so reads
// work; the watch keeps retrying. Labels come with it when the fallback
// has them for every monitor (each load's labels go to `remember_labels`
// for it to record: see redis_fallback.h); otherwise the snapshot says so
// (labels_known() false) and selector reads are refused as unavailable
// rather than answered wrongly.
//
// Thread-safety: Start()/Stop() from one thread; the rest is thread-safe.
#ifndef UPTIME_GATEWAY_UPSTREAM_H_
#define UPTIME_GATEWAY_UPSTREAM_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/event_hub.h"
#include "gateway/status_snapshot.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/status.grpc.pb.h"

namespace uptime::gateway {

enum class ResultsMode { kOff, kOnDemand, kAlways };

// Monitor id -> its labels.
using LabelsById = std::map<std::string, std::map<std::string, std::string>>;

// A snapshot from elsewhere than the coordinator (Redis), keyed by monitor
// id; `labels_known` false: the entries' labels are missing.
struct FallbackSnapshot {
  std::map<std::string, MonitorEntry> entries;
  bool labels_known = false;
};

struct UpstreamOptions {
  std::shared_ptr<grpc::ChannelInterface> channel;
  std::string token;  // read scope is enough
  absl::Duration reload_interval = absl::Seconds(60);
  absl::Duration backoff_initial = absl::Milliseconds(200);
  absl::Duration backoff_max = absl::Seconds(10);
  absl::Duration rpc_timeout = absl::Seconds(30);
  // Statuses from elsewhere (Redis) when the coordinator is unreachable at
  // start; unset: none.
  std::function<absl::StatusOr<FallbackSnapshot>()> fallback;
  // Every monitor's labels after each load from the coordinator, for the
  // fallback to keep (on the loading thread, one call at a time). Unset:
  // none.
  std::function<void(const LabelsById&)> remember_labels;
  // Hooks for the status pages, on the watch thread: after the snapshot
  // applied a state change, and after every snapshot load by the watch (or
  // a detected event gap) when SSE clients are told to resync. Unset: none.
  std::function<void(const v1::StateChange&)> on_state_change;
  std::function<void()> on_resync;
  // The results stream: see the class comment.
  ResultsMode results = ResultsMode::kOnDemand;
  absl::Duration results_linger = absl::Seconds(30);
};

class Upstream {
 public:
  Upstream(UpstreamOptions options, Clock* clock, StatusSnapshot* snapshot, EventHub* hub);
  ~Upstream();

  void Start();
  void Stop();

  bool connected() const { return connected_.load(); }

  // Asks for a snapshot reload soon (within about a second): after a write
  // through the gateway, so a new or deleted monitor shows without waiting
  // for the periodic reload. Cheap to call often: requests coalesce.
  void RequestReload();
  uint64_t reconnects() const { return reconnects_.load(); }

  // The results stream: up or not, results received, and results the
  // coordinator dropped for it (gaps in its sequence).
  bool results_connected() const { return results_connected_.load(); }
  uint64_t results_received() const { return results_received_.load(); }
  uint64_t results_dropped() const { return results_dropped_.load(); }

 private:
  void WatchLoop();
  void ReloadLoop();
  void ResultsLoop();
  bool ResultsWanted() const;
  // From the reload thread, once a second: ends an on-demand results stream
  // nobody has wanted for `results_linger`.
  void CloseIdleResults();
  void HandleResult(v1::Event event);
  // ListMonitors + ListStatuses into the snapshot.
  absl::Status Load();
  void HandleEvent(v1::Event event);
  std::unique_ptr<grpc::ClientContext> MakeContext(bool deadline) const;
  template <typename Response, typename Request, typename Call, typename Each>
  absl::Status ForEachPage(Request req, Call call, Each each) const;
  // Sleeps up to `d`; false when stopping.
  bool Pause(absl::Duration d);

  const UpstreamOptions options_;
  Clock* const clock_;
  StatusSnapshot* const snapshot_;
  EventHub* const hub_;
  const std::unique_ptr<v1::MonitorService::Stub> monitors_;
  const std::unique_ptr<v1::StatusService::Stub> statuses_;

  absl::Mutex load_mu_;  // one load at a time

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool reload_requested_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* watch_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  grpc::ClientContext* results_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Time results_unwanted_since_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  bool results_closed_idle_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<bool> results_connected_{false};
  std::atomic<uint64_t> results_received_{0};
  std::atomic<uint64_t> results_dropped_{0};
  uint64_t last_upstream_sequence_ = 0;  // watch thread only
  std::thread watch_thread_;
  std::thread reload_thread_;
  std::thread results_thread_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_UPSTREAM_H_
