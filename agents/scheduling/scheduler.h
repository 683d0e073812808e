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
//    monitors with one interval spread evenly over it, and agents agree on
//    a monitor's slots.
//  - Prompt first check: a monitor new to this scheduler is first checked
//    within first_run_window (1 s by default) of its Upsert, at an offset
//    hashed from its id, so a big new assignment spreads over that window
//    instead of firing in one millisecond, and a new monitor is not left
//    unchecked for up to a whole interval. Its following slots are the
//    phase-aligned ones, starting with the first that is at least half an
//    interval after the first check (the first two are never bunched). With
//    an interval <= first_run_window the first slot is prompt already and
//    is the first check: no extra one, which would double the load of a
//    big assignment for its first interval.
//    "New" means unknown to this scheduler: a monitor handed over from
//    another agent gets a prompt first check here too (one extra check
//    around the handover), then the same slots the other agent used.
//  - No drift: the next slot is the previous planned slot + interval, never
//    "finish time + interval".
//  - Catch-up without bursts: if the caller falls behind by a whole interval
//    or more, the missed slots are skipped (counted in skipped()) and only the
//    latest slot runs.
//  - No stacking: a slot that falls due while the monitor's previous check is
//    still running (not yet Complete()d) is not run; it is counted in
//    overruns() and the monitor moves on to the following slot.
//  - Late slots are shed (when late_skip_fraction > 0, as in the engine): a
//    slot popped more than late_skip_fraction x interval after its time is
//    not run either; it is counted in skipped() and the monitor waits for
//    its next slot. Running such a backlog late would start every overdue
//    check at once after a stall (thousands of connections in a burst), and
//    an agent that is behind would stay behind: each freed slot of its
//    concurrency cap taken at once by an overdue check, so it stays at the
//    cap, with every check late. Shedding lets it fall back onto the
//    phase-spread slots. Prompt first checks are exempt (one-time, already
//    spread over first_run_window).
//  - Upsert of a known id with the same interval changes nothing; a new
//    interval moves it to the new interval's phase-aligned slots (the first
//    one >= now). Remove and Upsert never move other monitors.
//
// Cost: O(log n) per due slot, Upsert and Remove (a binary heap with lazy
// deletion of superseded entries). Memory: about 80 bytes per monitor plus
// its id (DESIGN §6 allows the whole agent 1 KiB per monitor): the id is
// stored once, the index holds 4-byte entry numbers hashed through it, and
// times are whole microseconds.
//
// Thread-safety: not thread-safe; one owner (the engine loop) calls it.
//
// Example:
//   Scheduler s;
//   s.Upsert("m1", absl::Seconds(10), now);
//   for (const ScheduledJob& job : s.PopDue(*s.NextDue())) { ...run...; s.Complete(job.id); }
#ifndef UPTIME_AGENTS_SCHEDULING_SCHEDULER_H_
#define UPTIME_AGENTS_SCHEDULING_SCHEDULER_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace uptime::agent {

// FNV-1a of a monitor id: stable across processes and builds (absl::Hash is
// seeded per process), so every agent puts a monitor on the same slots (and
// the engine group on the same loop).
uint64_t StableIdHash(absl::string_view id);

struct ScheduledJob {
  std::string id;
  absl::Time planned;  // the slot this check belongs to
};

class Scheduler {
 public:
  // late_skip_fraction: see "Late slots are shed"; 0 runs late slots however
  // late (up to a whole interval, see "Catch-up without bursts").
  explicit Scheduler(absl::Duration first_run_window = absl::Seconds(1),
                     double late_skip_fraction = 0);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // The offset within `interval` of `id`'s slots (stable across processes).
  static absl::Duration Phase(absl::string_view id, absl::Duration interval);

  // When a monitor with an interval above `first_run_window`, first
  // Upserted at `now`, is first checked: now plus a stable hash of `id`
  // within the window.
  static absl::Time FirstRun(absl::string_view id, absl::Duration interval,
                             absl::Duration first_run_window, absl::Time now);

  // Adds `id`, or changes its interval. A new monitor is first due at
  // FirstRun(), or at its first slot >= now if its interval is at most
  // first_run_window; a changed interval moves a known one to the earliest
  // phase-aligned time >= now. Intervals below 1 ms are raised to 1 ms.
  // Returns true if `id` was not scheduled.
  bool Upsert(absl::string_view id, absl::Duration interval, absl::Time now);

  // Stops scheduling `id`. A check of it that is running stays "running"
  // until Complete(), so an Upsert in between cannot start a second one.
  // Returns true if `id` was scheduled.
  bool Remove(absl::string_view id);

  // The earliest planned slot, or nullopt when nothing is scheduled.
  std::optional<absl::Time> NextDue() const;

  // Takes up to `max_jobs` checks whose slot is <= now, earliest first, and
  // marks them running. Slots of running monitors that fall due are consumed
  // as overruns, slots too late to run (late_skip_fraction) as skipped.
  // Monitors left due because of `max_jobs` stay at the top, so they run
  // (late, or are shed) on the next call.
  std::vector<ScheduledJob> PopDue(absl::Time now,
                                   size_t max_jobs = std::numeric_limits<size_t>::max());

  // Marks the running check of `id` finished. Unknown ids are ignored.
  void Complete(absl::string_view id);

  // Gives back the spare capacity its tables kept from growing (up to
  // half of them after a big assignment: ~45 of the ~160 bytes per
  // monitor). O(n); for after big changes, not per call.
  void ShrinkToFit();

  bool Contains(absl::string_view id) const;
  bool IsRunning(absl::string_view id) const;
  // Scheduled monitors (excluding removed ones whose check still runs).
  size_t size() const { return active_; }
  // Checks running now.
  size_t running() const { return running_; }
  // Checks per second the scheduled monitors ask for (sum of 1/interval).
  double planned_rate() const { return active_ == 0 ? 0 : planned_rate_; }
  int64_t overruns() const { return overruns_; }
  int64_t skipped() const { return skipped_; }

 private:
  // Times are Unix microseconds, intervals microseconds: half the size of
  // absl::Time/Duration, and slot arithmetic is exact.
  struct Entry {
    std::string id;
    int64_t interval_us = 0;
    int64_t next_us = 0;      // next planned slot
    uint32_t generation = 0;  // heap items with another generation are stale
    bool active = false;      // false: removed (kept only while running) or free
    bool running = false;
    bool first_run = false;   // next_us is the prompt first check, not a slot
  };
  struct HeapItem {
    int64_t due_us;
    uint32_t slot;
    uint32_t generation;  // wraps harmlessly: stale items die long before
  };
  // The index stores entry numbers and hashes them by their entry's id, so
  // the id is not stored twice; lookups by string_view are heterogeneous.
  struct SlotHash {
    using is_transparent = void;
    const std::vector<Entry>* entries;
    size_t operator()(absl::string_view id) const { return absl::Hash<absl::string_view>{}(id); }
    size_t operator()(uint32_t slot) const { return (*this)((*entries)[slot].id); }
  };
  struct SlotEq {
    using is_transparent = void;
    const std::vector<Entry>* entries;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, absl::string_view b) const { return (*entries)[a].id == b; }
    bool operator()(absl::string_view a, uint32_t b) const { return (*this)(b, a); }
  };

  // The first phase-aligned slot >= t_us for `id` with `interval_us`.
  static int64_t AlignedSlot(absl::string_view id, int64_t interval_us, int64_t t_us);
  void Push(uint32_t slot);
  void PopTop();
  void PopStale();
  void Release(uint32_t slot);
  void CompactIfBloated();

  const absl::Duration first_run_window_;
  const double late_skip_fraction_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_slots_;
  absl::flat_hash_set<uint32_t, SlotHash, SlotEq> index_;
  std::vector<HeapItem> heap_;  // min-heap on (due, slot)
  size_t active_ = 0;
  size_t running_ = 0;
  double planned_rate_ = 0;
  int64_t overruns_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_SCHEDULING_SCHEDULER_H_
