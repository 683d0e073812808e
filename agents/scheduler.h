// Scheduler: decides when each monitor's next check is due.
//
// Pure logic: every method takes the current time as an argument, so tests
// drive it with exact times and no sleeps, and the CheckEngine drives it from
// its event loop.
//
// Guarantees:
//  - Phase spread: a monitor's slots are the times T with
//    (T - UnixEpoch) mod interval == phase(id), where phase(id) is a stable
//    hash of the id (FNV-1a, identical in every process). Checks of many
//    monitors with one interval spread evenly over it, and an agent that takes
//    over a monitor continues on the same slots as the agent it replaces.
//  - No drift: the next slot is the previous planned slot + interval, never
//    "finish time + interval".
//  - Catch-up without bursts: if the caller falls behind by a whole interval
//    or more, the missed slots are skipped (counted in skipped()) and only the
//    latest slot runs.
//  - No stacking: a slot that falls due while the monitor's previous check is
//    still running (not yet Complete()d) is not run; it is counted in
//    overruns() and the monitor moves on to the following slot.
//  - Upsert of a known id with the same interval changes nothing; Remove and
//    Upsert never move other monitors.
//
// Cost: O(log n) per due slot, Upsert and Remove (a binary heap with lazy
// deletion of superseded entries).
//
// Thread-safety: not thread-safe; one owner (the engine loop) calls it.
//
// Example:
//   Scheduler s;
//   s.Upsert("m1", absl::Seconds(10), now);
//   for (const ScheduledJob& job : s.PopDue(*s.NextDue())) { ...run...; s.Complete(job.id); }
#ifndef UPTIME_AGENTS_SCHEDULER_H_
#define UPTIME_AGENTS_SCHEDULER_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace uptime::agent {

struct ScheduledJob {
  std::string id;
  absl::Time planned;  // the slot this check belongs to
};

class Scheduler {
 public:
  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // The offset within `interval` of `id`'s slots (stable across processes).
  static absl::Duration Phase(absl::string_view id, absl::Duration interval);

  // Adds `id`, or changes its interval. A new monitor (or a changed interval)
  // gets its first slot at the earliest phase-aligned time >= now. Intervals
  // below 1 ms are raised to 1 ms. Returns true if `id` was not known.
  bool Upsert(absl::string_view id, absl::Duration interval, absl::Time now);

  // Stops scheduling `id`. A check of it that is running stays "running"
  // until Complete(), so an Upsert in between cannot start a second one.
  // Returns true if `id` was scheduled.
  bool Remove(absl::string_view id);

  // The earliest planned slot, or nullopt when nothing is scheduled.
  std::optional<absl::Time> NextDue() const;

  // Takes up to `max_jobs` checks whose slot is <= now, earliest first, and
  // marks them running. Slots of running monitors that fall due are consumed
  // as overruns. Monitors left due because of `max_jobs` stay at the top, so
  // they run (late) on the next call.
  std::vector<ScheduledJob> PopDue(absl::Time now,
                                   size_t max_jobs = std::numeric_limits<size_t>::max());

  // Marks the running check of `id` finished. Unknown ids are ignored.
  void Complete(absl::string_view id);

  bool Contains(absl::string_view id) const;
  bool IsRunning(absl::string_view id) const;
  // Scheduled monitors (excluding removed ones whose check still runs).
  size_t size() const { return active_; }
  // Checks running now.
  size_t running() const { return running_; }
  int64_t overruns() const { return overruns_; }
  int64_t skipped() const { return skipped_; }

 private:
  struct Entry {
    std::string id;
    absl::Duration interval;
    absl::Time next;          // next planned slot
    uint64_t generation = 0;  // heap entries with another generation are stale
    bool active = false;      // false: removed (kept only while running) or free
    bool running = false;
  };
  struct HeapItem {
    absl::Time due;
    uint32_t slot;
    uint64_t generation;
  };

  // The first slot >= now for `id` with `interval`.
  static absl::Time FirstSlot(absl::string_view id, absl::Duration interval, absl::Time now);
  void Push(uint32_t slot);
  void PopTop();
  void PopStale();
  void Release(uint32_t slot);
  void CompactIfBloated();

  std::vector<Entry> entries_;
  std::vector<uint32_t> free_slots_;
  absl::flat_hash_map<std::string, uint32_t> index_;
  std::vector<HeapItem> heap_;  // min-heap on (due, slot)
  size_t active_ = 0;
  size_t running_ = 0;
  int64_t overruns_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_SCHEDULER_H_
