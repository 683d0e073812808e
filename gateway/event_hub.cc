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
    it = keep ? std::next(it) : EraseLocked(it);
  }
}

EventHub::ClientMap::iterator EventHub::EraseLocked(ClientMap::iterator it) {
  const Client& client = it->second;
  if (client.results) {
    --result_clients_;
    if (client.monitor_ids.empty()) results_any_.erase(it->first);
    for (const std::string& id : client.monitor_ids) {
      auto watchers = results_by_monitor_.find(id);
      if (watchers == results_by_monitor_.end()) continue;
      watchers->second.erase(it->first);
      if (watchers->second.empty()) results_by_monitor_.erase(watchers);
    }
  }
  return clients_.erase(it);
}

size_t EventHub::PublishResult(const std::string& monitor_id,
                               const std::map<std::string, std::string>& labels,
                               absl::FunctionRef<std::string()> render) {
  absl::MutexLock lock(&mu_);
  if (result_clients_ == 0) return 0;
  std::vector<uint64_t> candidates(results_any_.begin(), results_any_.end());
  if (auto it = results_by_monitor_.find(monitor_id); it != results_by_monitor_.end()) {
    candidates.insert(candidates.end(), it->second.begin(), it->second.end());
  }
  std::shared_ptr<const std::string> frame;
  size_t offered = 0;
  for (uint64_t id : candidates) {
    auto it = clients_.find(id);
    if (it == clients_.end()) continue;
    if (!it->second.selector.Matches(labels)) continue;
    std::shared_ptr<SseSink> sink = it->second.sink.lock();
    if (frame == nullptr && sink != nullptr) {
      frame = std::make_shared<const std::string>(SseFrameWithoutId("result", render()));
    }
    if (sink == nullptr || !sink->Send(frame)) {
      EraseLocked(it);
      continue;
    }
    ++offered;
  }
  return offered;
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
                             std::optional<uint64_t> last_id, std::set<std::string> monitor_ids,
                             bool include_results) {
  absl::MutexLock lock(&mu_);
  Client client{std::move(sink), std::move(selector), std::move(monitor_ids), include_results};
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
  if (client.results) {
    ++result_clients_;
    if (client.monitor_ids.empty()) results_any_.insert(id);
    for (const std::string& m : client.monitor_ids) results_by_monitor_[m].insert(id);
  }
  clients_.emplace(id, std::move(client));
  return id;
}

void EventHub::Unsubscribe(uint64_t subscription) {
  absl::MutexLock lock(&mu_);
  auto it = clients_.find(subscription);
  if (it != clients_.end()) EraseLocked(it);
}

size_t EventHub::result_clients() const {
  absl::MutexLock lock(&mu_);
  return result_clients_;
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
