// EventHub: fans events out to SSE clients. Each event gets the next id of
// one monotonic sequence (starting at the hub's creation time in
// microseconds, so ids keep increasing across gateway restarts and an id
// from an earlier process is recognised as a gap), is formatted once, kept in
// a bounded ReplayBuffer, and offered to every client whose selector matches.
//
// Clients are SseSinks that queue without blocking and report when they are
// gone or too far behind; the hub then forgets them, so one slow client
// never holds up the others or grows memory.
//
// Check results (PublishResult) go only to clients that asked for them. They
// carry no id and are never kept for replay: at a fleet's checks/s they
// would push every state change out of the buffer within moments, and a
// result missed while reconnected is superseded by the next one anyway.
// Clients that asked for results are indexed by the monitors they watch, so
// a result costs one lookup plus the clients that watch by selector, not a
// scan of every client.
//
// Thread-safety: thread-safe. Sinks are called with the hub's lock held (so
// each sees events in id order) and must not call back into the hub.
#ifndef UPTIME_GATEWAY_EVENT_HUB_H_
#define UPTIME_GATEWAY_EVENT_HUB_H_

#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "common/labels.h"
#include "gateway/replay_buffer.h"

namespace uptime::gateway {

class SseSink {
 public:
  virtual ~SseSink() = default;
  // Queues `frame` for the client without blocking. False when the client is
  // gone or its queue is full (it is then disconnected by its session).
  virtual bool Send(std::shared_ptr<const std::string> frame) = 0;
  // Ends the stream soon (its credential was revoked), from any thread;
  // must not call back into the hub or the caller synchronously.
  virtual void Disconnect() {}
};

class EventHub {
 public:
  EventHub(uint64_t first_id, size_t replay_capacity);

  // Publishes an event of `type` with `data` (one line of JSON) about a
  // monitor with `labels`.
  void Publish(const std::string& type, const std::string& data,
               std::map<std::string, std::string> labels, std::string monitor_id = "");

  // Tells every client to refetch (after the upstream stream was re-made
  // and the snapshot reloaded, or when a resume gap cannot be replayed).
  void PublishResync(const std::string& reason);

  // Offers a check result of `monitor_id` (whose monitor has `labels`) to
  // the clients that subscribed with `include_results` and match, as an
  // `event: result` without id. `render` makes the event's data (one line
  // of JSON); it is called once if any client wants the result, else never,
  // so a result nobody watches costs no formatting. Returns the number of
  // clients it was offered to.
  size_t PublishResult(const std::string& monitor_id,
                       const std::map<std::string, std::string>& labels,
                       absl::FunctionRef<std::string()> render);

  // Adds a client, offered the events whose labels match `selector` and,
  // when `monitor_ids` is not empty, whose monitor is one of them. With
  // `last_id`, first replays what it missed, or sends it a `resync` event
  // when the buffer cannot cover the gap. With `include_results`, it is
  // also offered the matching check results (PublishResult). Returns an id
  // for Unsubscribe(), 0 when the sink is gone or refused the replay.
  uint64_t Subscribe(std::weak_ptr<SseSink> sink, LabelSelector selector,
                     std::optional<uint64_t> last_id, std::set<std::string> monitor_ids = {},
                     bool include_results = false);
  void Unsubscribe(uint64_t subscription);

  size_t clients() const;
  // Clients subscribed with `include_results`: the Upstream streams results
  // from the coordinator while there are any.
  size_t result_clients() const;
  uint64_t last_id() const;

 private:
  struct Client {
    std::weak_ptr<SseSink> sink;
    LabelSelector selector;
    std::set<std::string> monitor_ids;  // empty: any
    bool results = false;
    bool Wants(const SseEvent& event) const;
  };
  using ClientMap = std::map<uint64_t, Client>;
  void PublishLocked(std::shared_ptr<const SseEvent> event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets a client and its entries in the result indexes.
  ClientMap::iterator EraseLocked(ClientMap::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_);
  ReplayBuffer replay_ ABSL_GUARDED_BY(mu_);
  ClientMap clients_ ABSL_GUARDED_BY(mu_);
  // Subscriptions with `include_results`: by watched monitor id, and those
  // that watch every monitor (by selector only).
  std::map<std::string, std::set<uint64_t>> results_by_monitor_ ABSL_GUARDED_BY(mu_);
  std::set<uint64_t> results_any_ ABSL_GUARDED_BY(mu_);
  size_t result_clients_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_subscription_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_EVENT_HUB_H_
