#include "agents/scheduler.h"

#include <algorithm>
#include <utility>

namespace uptime::agent {
namespace {

constexpr absl::Duration kMinInterval = absl::Milliseconds(1);

// FNV-1a: stable across processes and builds (absl::Hash is seeded per
// process), so every agent puts a monitor on the same slots.
uint64_t StableHash(absl::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Whole microseconds, at least kMinInterval: slot arithmetic is then exact.
absl::Duration NormalizeInterval(absl::Duration interval) {
  interval = std::max(interval, kMinInterval);
  return absl::Microseconds(absl::ToInt64Microseconds(interval));
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool Later(const auto& a, const auto& b) {
  return a.due != b.due ? a.due > b.due : a.slot > b.slot;
}

}  // namespace

absl::Duration Scheduler::Phase(absl::string_view id, absl::Duration interval) {
  const int64_t iv = absl::ToInt64Microseconds(NormalizeInterval(interval));
  return absl::Microseconds(static_cast<int64_t>(StableHash(id) % static_cast<uint64_t>(iv)));
}

absl::Time Scheduler::FirstSlot(absl::string_view id, absl::Duration interval, absl::Time now) {
  const int64_t iv = absl::ToInt64Microseconds(interval);
  const int64_t phase = absl::ToInt64Microseconds(Phase(id, interval));
  const int64_t t = absl::ToUnixMicros(now);
  absl::Time slot = absl::FromUnixMicros(phase + FloorDiv(t - phase, iv) * iv);
  if (slot < now) slot += interval;
  return slot;
}

bool Scheduler::Upsert(absl::string_view id, absl::Duration interval, absl::Time now) {
  interval = NormalizeInterval(interval);
  auto it = index_.find(id);
  if (it != index_.end()) {
    Entry& e = entries_[it->second];
    const bool was_active = e.active;
    if (was_active && e.interval == interval) return false;
    // A new interval means new slots; the old heap item goes stale.
    e.interval = interval;
    e.next = FirstSlot(id, interval, now);
    ++e.generation;
    if (!was_active) {
      e.active = true;
      ++active_;
    }
    Push(it->second);
    CompactIfBloated();
    return !was_active;
  }
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry& e = entries_[slot];
  e.id = std::string(id);
  e.interval = interval;
  e.next = FirstSlot(id, interval, now);
  ++e.generation;
  e.active = true;
  e.running = false;
  ++active_;
  index_.emplace(e.id, slot);
  Push(slot);
  return true;
}

bool Scheduler::Remove(absl::string_view id) {
  auto it = index_.find(id);
  if (it == index_.end() || !entries_[it->second].active) return false;
  const uint32_t slot = it->second;
  Entry& e = entries_[slot];
  e.active = false;
  ++e.generation;
  --active_;
  if (!e.running) Release(slot);
  PopStale();
  CompactIfBloated();
  return true;
}

std::optional<absl::Time> Scheduler::NextDue() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().due;
}

std::vector<ScheduledJob> Scheduler::PopDue(absl::Time now, size_t max_jobs) {
  std::vector<ScheduledJob> jobs;
  while (!heap_.empty() && jobs.size() < max_jobs && heap_.front().due <= now) {
    const uint32_t slot = heap_.front().slot;
    PopTop();
    Entry& e = entries_[slot];
    absl::Time planned = e.next;
    if (now - planned >= e.interval) {
      // Fell behind by whole intervals: run only the latest slot.
      absl::Duration rem;
      const int64_t missed = absl::IDivDuration(now - planned, e.interval, &rem);
      planned += missed * e.interval;
      skipped_ += missed;
    }
    e.next = planned + e.interval;
    if (e.running) {
      ++overruns_;
    } else {
      e.running = true;
      ++running_;
      jobs.push_back(ScheduledJob{e.id, planned});
    }
    Push(slot);
    PopStale();
  }
  return jobs;
}

void Scheduler::Complete(absl::string_view id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  Entry& e = entries_[it->second];
  if (!e.running) return;
  e.running = false;
  --running_;
  if (!e.active) Release(it->second);
}

bool Scheduler::Contains(absl::string_view id) const {
  auto it = index_.find(id);
  return it != index_.end() && entries_[it->second].active;
}

bool Scheduler::IsRunning(absl::string_view id) const {
  auto it = index_.find(id);
  return it != index_.end() && entries_[it->second].running;
}

void Scheduler::Push(uint32_t slot) {
  const Entry& e = entries_[slot];
  heap_.push_back(HeapItem{e.next, slot, e.generation});
  std::push_heap(heap_.begin(), heap_.end(),
                 [](const HeapItem& a, const HeapItem& b) { return Later(a, b); });
  PopStale();
}

void Scheduler::PopTop() {
  std::pop_heap(heap_.begin(), heap_.end(),
                [](const HeapItem& a, const HeapItem& b) { return Later(a, b); });
  heap_.pop_back();
}

// Keeps the invariant that the top of the heap is a live item, so NextDue()
// can stay const and O(1).
void Scheduler::PopStale() {
  while (!heap_.empty()) {
    const HeapItem& top = heap_.front();
    const Entry& e = entries_[top.slot];
    if (e.active && e.generation == top.generation) return;
    PopTop();
  }
}

void Scheduler::Release(uint32_t slot) {
  Entry& e = entries_[slot];
  index_.erase(e.id);
  e.id.clear();
  e.id.shrink_to_fit();
  ++e.generation;
  free_slots_.push_back(slot);
}

// Superseded items would otherwise pile up under churn (many upserts with new
// intervals, removes); rebuilding costs O(n) and happens only when at least
// half the heap is dead, so it is amortized O(1) per operation.
void Scheduler::CompactIfBloated() {
  if (heap_.size() <= 2 * active_ + 64) return;
  std::vector<HeapItem> live;
  live.reserve(active_);
  for (const HeapItem& item : heap_) {
    const Entry& e = entries_[item.slot];
    if (e.active && e.generation == item.generation) live.push_back(item);
  }
  heap_ = std::move(live);
  std::make_heap(heap_.begin(), heap_.end(),
                 [](const HeapItem& a, const HeapItem& b) { return Later(a, b); });
}

}  // namespace uptime::agent
