#include "agents/scheduling/scheduler.h"

#include <algorithm>
#include <utility>

namespace uptime::agent {
namespace {

constexpr absl::Duration kMinInterval = absl::Milliseconds(1);

// Whole microseconds, at least kMinInterval: slot arithmetic is then exact.
absl::Duration NormalizeInterval(absl::Duration interval) {
  interval = std::max(interval, kMinInterval);
  return absl::Microseconds(absl::ToInt64Microseconds(interval));
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

double RateOf(int64_t interval_us) { return 1e6 / static_cast<double>(interval_us); }

bool Later(const auto& a, const auto& b) {
  return a.due_us != b.due_us ? a.due_us > b.due_us : a.slot > b.slot;
}

}  // namespace

uint64_t StableIdHash(absl::string_view id) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

Scheduler::Scheduler(absl::Duration first_run_window, double late_skip_fraction)
    : first_run_window_(std::max(first_run_window, kMinInterval)),
      late_skip_fraction_(std::max(late_skip_fraction, 0.0)),
      index_(0, SlotHash{&entries_}, SlotEq{&entries_}) {}

absl::Duration Scheduler::Phase(absl::string_view id, absl::Duration interval) {
  const int64_t iv = absl::ToInt64Microseconds(NormalizeInterval(interval));
  return absl::Microseconds(static_cast<int64_t>(StableIdHash(id) % static_cast<uint64_t>(iv)));
}

absl::Time Scheduler::FirstRun(absl::string_view id, absl::Duration interval,
                               absl::Duration first_run_window, absl::Time now) {
  const int64_t window = absl::ToInt64Microseconds(
      std::min(NormalizeInterval(interval), std::max(first_run_window, kMinInterval)));
  // (Capped by the interval too, for callers asking about short intervals.)
  // Other bits than Phase() uses, so that with a 1 s interval the first run
  // is not simply the first slot.
  const uint64_t h = StableIdHash(id);
  const uint64_t mixed = (h >> 32) ^ (h * 0x9e3779b97f4a7c15ULL);
  return now + absl::Microseconds(static_cast<int64_t>(mixed % static_cast<uint64_t>(window)));
}

int64_t Scheduler::AlignedSlot(absl::string_view id, int64_t interval_us, int64_t t_us) {
  const int64_t phase = absl::ToInt64Microseconds(Phase(id, absl::Microseconds(interval_us)));
  int64_t slot = phase + FloorDiv(t_us - phase, interval_us) * interval_us;
  if (slot < t_us) slot += interval_us;
  return slot;
}

bool Scheduler::Upsert(absl::string_view id, absl::Duration interval, absl::Time now) {
  const int64_t interval_us = absl::ToInt64Microseconds(NormalizeInterval(interval));
  const int64_t now_us = absl::ToUnixMicros(now);
  auto it = index_.find(id);
  if (it != index_.end()) {
    const uint32_t slot = *it;
    Entry& e = entries_[slot];
    const bool was_active = e.active;
    if (was_active && e.interval_us == interval_us) return false;
    // A new interval means new slots; the old heap item goes stale. A
    // monitor removed and re-added while its check ran is not new either:
    // it goes straight to its slots.
    if (was_active) planned_rate_ -= RateOf(e.interval_us);
    planned_rate_ += RateOf(interval_us);
    e.interval_us = interval_us;
    e.next_us = AlignedSlot(id, interval_us, now_us);
    e.first_run = false;
    ++e.generation;
    if (!was_active) {
      e.active = true;
      ++active_;
    }
    Push(slot);
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
  e.interval_us = interval_us;
  if (interval_us <= absl::ToInt64Microseconds(first_run_window_)) {
    // The first slot is as prompt and as spread as a first run would be,
    // and an extra check would double the load for the first interval.
    e.next_us = AlignedSlot(id, interval_us, now_us);
    e.first_run = false;
  } else {
    e.next_us = absl::ToUnixMicros(
        FirstRun(id, absl::Microseconds(interval_us), first_run_window_, now));
    e.first_run = true;
  }
  ++e.generation;
  e.active = true;
  e.running = false;
  ++active_;
  planned_rate_ += RateOf(interval_us);
  index_.insert(slot);  // after e.id is set: the index hashes through it
  Push(slot);
  return true;
}

bool Scheduler::Remove(absl::string_view id) {
  auto it = index_.find(id);
  if (it == index_.end() || !entries_[*it].active) return false;
  const uint32_t slot = *it;
  Entry& e = entries_[slot];
  e.active = false;
  ++e.generation;
  --active_;
  // Floating-point sums drift: start again from zero when nothing is left.
  planned_rate_ = active_ == 0 ? 0 : std::max(0.0, planned_rate_ - RateOf(e.interval_us));
  if (!e.running) Release(slot);
  PopStale();
  CompactIfBloated();
  return true;
}

std::optional<absl::Time> Scheduler::NextDue() const {
  if (heap_.empty()) return std::nullopt;
  return absl::FromUnixMicros(heap_.front().due_us);
}

std::vector<ScheduledJob> Scheduler::PopDue(absl::Time now, size_t max_jobs) {
  const int64_t now_us = absl::ToUnixMicros(now);
  std::vector<ScheduledJob> jobs;
  while (!heap_.empty() && jobs.size() < max_jobs && heap_.front().due_us <= now_us) {
    const uint32_t slot = heap_.front().slot;
    PopTop();
    Entry& e = entries_[slot];
    int64_t planned = e.next_us;
    bool too_late = false;
    if (e.first_run) {
      // The prompt first check; then the phase-aligned slots, the first of
      // them at least half an interval later.
      e.first_run = false;
      e.next_us = AlignedSlot(e.id, e.interval_us, planned + e.interval_us / 2);
    } else {
      if (now_us - planned >= e.interval_us) {
        // Fell behind by whole intervals: run only the latest slot.
        const int64_t missed = (now_us - planned) / e.interval_us;
        planned += missed * e.interval_us;
        skipped_ += missed;
      }
      e.next_us = planned + e.interval_us;
      too_late = late_skip_fraction_ > 0 &&
                 static_cast<double>(now_us - planned) >
                     late_skip_fraction_ * static_cast<double>(e.interval_us);
    }
    if (e.running) {
      ++overruns_;
    } else if (too_late) {
      ++skipped_;
    } else {
      e.running = true;
      ++running_;
      jobs.push_back(ScheduledJob{e.id, absl::FromUnixMicros(planned)});
    }
    Push(slot);
    PopStale();
  }
  return jobs;
}

void Scheduler::Complete(absl::string_view id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  const uint32_t slot = *it;
  Entry& e = entries_[slot];
  if (!e.running) return;
  e.running = false;
  --running_;
  if (!e.active) Release(slot);
}

bool Scheduler::Contains(absl::string_view id) const {
  auto it = index_.find(id);
  return it != index_.end() && entries_[*it].active;
}

bool Scheduler::IsRunning(absl::string_view id) const {
  auto it = index_.find(id);
  return it != index_.end() && entries_[*it].running;
}

void Scheduler::Push(uint32_t slot) {
  const Entry& e = entries_[slot];
  heap_.push_back(HeapItem{e.next_us, slot, e.generation});
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
  // Erase by entry number while the entry still holds the id it is hashed by.
  index_.erase(slot);
  Entry& e = entries_[slot];
  e.id.clear();
  e.id.shrink_to_fit();
  ++e.generation;
  free_slots_.push_back(slot);
}

// Superseded items would otherwise pile up under churn (many upserts with new
// intervals, removes); rebuilding costs O(n) and happens only when at least
// half the heap is dead, so it is amortized O(1) per operation.
void Scheduler::ShrinkToFit() {
  entries_.shrink_to_fit();
  free_slots_.shrink_to_fit();
  heap_.shrink_to_fit();
  index_.rehash(0);
}

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
