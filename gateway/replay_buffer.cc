#include "gateway/replay_buffer.h"

#include <algorithm>

namespace uptime::gateway {

ReplayBuffer::ReplayBuffer(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

void ReplayBuffer::Add(std::shared_ptr<const SseEvent> event) {
  events_.push_back(std::move(event));
  while (events_.size() > capacity_) events_.pop_front();
}

bool ReplayBuffer::Since(uint64_t last_id, uint64_t newest_id,
                         std::vector<std::shared_ptr<const SseEvent>>* out) const {
  out->clear();
  if (last_id > newest_id) return false;
  // Ids are consecutive, so the buffer covers everything after last_id iff
  // it reaches back to last_id + 1. An id from before this process's first
  // one (ids start at the start time in microseconds) never qualifies.
  const uint64_t oldest = events_.empty() ? newest_id + 1 : events_.front()->id;
  if (last_id + 1 < oldest) return false;
  auto it = std::upper_bound(
      events_.begin(), events_.end(), last_id,
      [](uint64_t id, const std::shared_ptr<const SseEvent>& e) { return id < e->id; });
  out->assign(it, events_.end());
  return true;
}

}  // namespace uptime::gateway
