// StartPacer: caps how fast the engine starts scheduled checks, as a
// generic cell rate algorithm (GCRA): at most `factor` times the rate the
// monitors ask for, in bursts of at most `window`'s worth (never fewer than
// `min_burst`).
//
// Phase-spread slots arrive at the planned rate and never meet the cap. What
// it meets is a backlog: after the loop stalled (a paused process, a busy
// machine) every overdue slot is due at once, and starting them in one loop
// iteration opens thousands of connections in a burst, more than a target's
// accept queue takes, so checks time out, the engine sits at its concurrency
// cap and falls further behind. Paced, the backlog drains at `factor` times
// the normal rate, and slots that get too late are shed by the Scheduler.
//
// Pure: times are arguments. Not thread-safe (the engine loop owns it).
//
// Example:
//   StartPacer pacer;
//   size_t n = pacer.Allowance(scheduler.planned_rate(), now);
//   auto jobs = scheduler.PopDue(now, n);
//   pacer.Started(scheduler.planned_rate(), now, jobs.size());
#ifndef UPTIME_AGENTS_SCHEDULING_START_PACER_H_
#define UPTIME_AGENTS_SCHEDULING_START_PACER_H_

#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace uptime::agent {

class StartPacer {
 public:
  explicit StartPacer(double factor = 2.0, absl::Duration window = absl::Milliseconds(10),
                      int64_t min_burst = 32)
      : factor_(factor), window_(window), min_burst_(min_burst) {}

  // How many checks may start at `now` when the monitors ask for
  // `planned_rate` checks per second (0: no limit).
  size_t Allowance(double planned_rate, absl::Time now) const;
  // The earliest time Allowance() is positive again (InfinitePast: now).
  absl::Time Ready(double planned_rate) const;
  // Records `n` starts at `now`.
  void Started(double planned_rate, absl::Time now, size_t n);

 private:
  struct Cell {
    absl::Duration emission;   // between starts at the capped rate
    absl::Duration tolerance;  // how far ahead of time starts may run: the burst
  };
  bool CellFor(double planned_rate, Cell* cell) const;

  const double factor_;
  const absl::Duration window_;
  const int64_t min_burst_;
  absl::Time tat_ = absl::InfinitePast();  // theoretical arrival time of the next start
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_SCHEDULING_START_PACER_H_
