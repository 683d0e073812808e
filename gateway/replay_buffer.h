// ReplayBuffer: the last N events sent to SSE clients, so a client that
// reconnects with `Last-Event-ID` gets exactly what it missed, or learns
// that the gap is too old and it must refetch.
//
// Not thread-safe: the EventHub guards it.
#ifndef UPTIME_GATEWAY_REPLAY_BUFFER_H_
#define UPTIME_GATEWAY_REPLAY_BUFFER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace uptime::gateway {

// One event as every client receives it: formatted once, shared.
struct SseEvent {
  uint64_t id = 0;
  std::string type;                          // "state_change", "resync", ...
  std::string frame;                         // the full SSE frame
  std::map<std::string, std::string> labels;  // of its monitor, for selectors
  std::string monitor_id;                    // for clients watching ids; may be empty
  bool broadcast = false;                    // sent to every client (resync)
};

class ReplayBuffer {
 public:
  explicit ReplayBuffer(size_t capacity);

  // Appends (ids must increase); drops the oldest past capacity.
  void Add(std::shared_ptr<const SseEvent> event);

  // Events with id > `last_id`, oldest first, into `out`. False when the
  // buffer no longer holds every event after `last_id` (the gap is
  // unknown: the client must resync), or when `last_id` is ahead of every
  // id handed out (an id from another gateway process).
  bool Since(uint64_t last_id, uint64_t newest_id,
             std::vector<std::shared_ptr<const SseEvent>>* out) const;

  size_t size() const { return events_.size(); }

 private:
  const size_t capacity_;
  std::deque<std::shared_ptr<const SseEvent>> events_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_REPLAY_BUFFER_H_
