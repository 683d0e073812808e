#include "coordinator/health/event_bus.h"

#include <algorithm>

namespace uptime::coordinator {

void EventBus::Subscribe(EventSink* sink) {
  absl::MutexLock lock(&mu_);
  sinks_.push_back(sink);
  if (sink->WantsResults()) ++result_sinks_;
}

void EventBus::Unsubscribe(EventSink* sink) {
  absl::MutexLock lock(&mu_);
  auto it = std::find(sinks_.begin(), sinks_.end(), sink);
  if (it == sinks_.end()) return;
  if (sink->WantsResults()) --result_sinks_;
  sinks_.erase(it);
}

void EventBus::Publish(const v1::Event& event,
                       const google::protobuf::Map<std::string, std::string>& labels) {
  absl::MutexLock lock(&mu_);
  const bool is_result = event.has_result();
  for (EventSink* sink : sinks_) {
    if (is_result && !sink->WantsResults()) continue;
    sink->Deliver(event, labels);
  }
}

bool EventBus::HasResultSubscribers() const {
  absl::MutexLock lock(&mu_);
  return result_sinks_ > 0;
}

}  // namespace uptime::coordinator
