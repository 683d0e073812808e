#include "gateway/event_hub.h"

#include <vector>

#include "gateway/request_mapping.h"
#include "gateway/sse.h"

namespace uptime::gateway {

EventHub::EventHub(uint64_t first_id, size_t replay_capacity)
    : next_id_(first_id == 0 ? 1 : first_id), replay_(replay_capacity) {}

bool EventHub::Client::Wants(const SseEvent& event) const {
  if (event.broadcast) return true;
  if (!monitor_ids.empty() && !monitor_ids.contains(event.monitor_id)) return false;
  return selector.Matches(event.labels);
}

void EventHub::PublishLocked(std::shared_ptr<const SseEvent> event) {
  replay_.Add(event);
  // The frame is shared by every client: an aliasing pointer into the
  // event, so fan-out copies no bytes.
  std::shared_ptr<const std::string> frame(event, &event->frame);
  for (auto it = clients_.begin(); it != clients_.end();) {
    const Client& client = it->second;
    std::shared_ptr<SseSink> sink = client.sink.lock();
    bool keep = sink != nullptr;
    if (keep && client.Wants(*event)) {
      keep = sink->Send(frame);
    }
    it = keep ? std::next(it) : clients_.erase(it);
  }
}

void EventHub::Publish(const std::string& type, const std::string& data,
                       std::map<std::string, std::string> labels, std::string monitor_id) {
  absl::MutexLock lock(&mu_);
  auto event = std::make_shared<SseEvent>();
  event->id = next_id_++;
  event->type = type;
  event->frame = SseFrame(event->id, type, data);
  event->labels = std::move(labels);
  event->monitor_id = std::move(monitor_id);
  PublishLocked(std::move(event));
}

void EventHub::PublishResync(const std::string& reason) {
  absl::MutexLock lock(&mu_);
  auto event = std::make_shared<SseEvent>();
  event->id = next_id_++;
  event->type = "resync";
  event->frame = SseFrame(event->id, "resync", "{\"reason\":" + JsonQuote(reason) + "}");
  event->broadcast = true;
  PublishLocked(std::move(event));
}

uint64_t EventHub::Subscribe(std::weak_ptr<SseSink> sink, LabelSelector selector,
                             std::optional<uint64_t> last_id, std::set<std::string> monitor_ids) {
  absl::MutexLock lock(&mu_);
  Client client{std::move(sink), std::move(selector), std::move(monitor_ids)};
  // Under the lock, so nothing is published between the replay and joining.
  if (last_id.has_value()) {
    std::shared_ptr<SseSink> s = client.sink.lock();
    if (s == nullptr) return 0;
    std::vector<std::shared_ptr<const SseEvent>> missed;
    if (replay_.Since(*last_id, next_id_ - 1, &missed)) {
      for (const auto& e : missed) {
        if (!client.Wants(*e)) continue;
        if (!s->Send(std::shared_ptr<const std::string>(e, &e->frame))) return 0;
      }
    } else {
      // The id the resync carries is the newest one, so resuming from it
      // after refetching misses nothing.
      auto frame = std::make_shared<const std::string>(
          SseFrame(next_id_ - 1, "resync", "{\"reason\":\"gap\"}"));
      if (!s->Send(std::move(frame))) return 0;
    }
  }
  const uint64_t id = next_subscription_++;
  clients_.emplace(id, std::move(client));
  return id;
}

void EventHub::Unsubscribe(uint64_t subscription) {
  absl::MutexLock lock(&mu_);
  clients_.erase(subscription);
}

size_t EventHub::clients() const {
  absl::MutexLock lock(&mu_);
  return clients_.size();
}

uint64_t EventHub::last_id() const {
  absl::MutexLock lock(&mu_);
  return next_id_ - 1;
}

}  // namespace uptime::gateway
