// StreamAuthWatcher: ends open event streams whose credential stopped
// working. A server-sent event stream is authorized once, when it opens, and
// may stay open for days; without this, a revoked API key, a signed-out
// session or a disabled user would keep receiving events. Every `period`
// each distinct credential of an open stream is checked again (one check per
// credential, however many streams share it), and the streams of a refused
// one (UNAUTHENTICATED or PERMISSION_DENIED) are disconnected. Other errors
// (the coordinator unreachable) leave streams open.
//
// Thread-safety: thread-safe. Checks may answer from any thread. The timer
// runs on the injected Clock and only while streams are open.
#ifndef UPTIME_GATEWAY_STREAM_AUTH_WATCHER_H_
#define UPTIME_GATEWAY_STREAM_AUTH_WATCHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/event_hub.h"

namespace uptime::gateway {

class StreamAuthWatcher {
 public:
  // Asks whether `authorization` may still read; `done` gets the answer,
  // now or later, on any thread.
  using Check = std::function<void(const std::string& authorization,
                                   std::function<void(absl::Status)> done)>;

  StreamAuthWatcher(Clock* clock, absl::Duration period, Check check);
  // Stops the timer; waits for a sweep that is running. Checks still in
  // flight answer into shared state and then do nothing.
  ~StreamAuthWatcher();

  // Watches `sink`'s stream, opened with `authorization`. Returns an id for
  // Remove().
  uint64_t Add(std::string authorization, std::weak_ptr<SseSink> sink);
  void Remove(uint64_t id);

  size_t streams() const;

 private:
  struct State;
  // Schedules the next sweep when streams are open and none is scheduled.
  static void ScheduleLocked(const std::shared_ptr<State>& state);
  static void Sweep(const std::shared_ptr<State>& state);

  const std::shared_ptr<State> state_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_STREAM_AUTH_WATCHER_H_
