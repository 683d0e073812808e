#include "coordinator/persistence/ack_sequencer.h"

#include <utility>
#include <vector>

namespace uptime::coordinator {

uint64_t AckSequencer::Register(std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  slots_.push_back({std::move(fn), false});
  return base_ + slots_.size() - 1;
}

void AckSequencer::Complete(absl::Span<const uint64_t> tickets) {
  std::vector<std::function<void()>> ready;
  mu_.Lock();
  for (uint64_t t : tickets) slots_[t - base_].done = true;
  if (delivering_) {  // the thread delivering will see these too
    mu_.Unlock();
    return;
  }
  delivering_ = true;
  while (true) {
    while (!slots_.empty() && slots_.front().done) {
      ready.push_back(std::move(slots_.front().fn));
      slots_.pop_front();
      ++base_;
    }
    if (ready.empty()) break;
    mu_.Unlock();
    for (auto& fn : ready) {
      if (fn) fn();
    }
    ready.clear();
    mu_.Lock();
  }
  delivering_ = false;
  mu_.Unlock();
}

}  // namespace uptime::coordinator
