// Maintenance windows in absolute time: which monitors are in maintenance at
// an instant, and when that can next change. Pure logic, time passed in.
//
// A WindowSchedule is one uptime.v1.MaintenanceWindow compiled: a one-off
// span, or a recurrence (local time of day on chosen weekdays in an IANA time
// zone, elapsed-time duration) clipped to optional bounds. Intervals are
// half-open, [start, end): at `end` the window is over.
//
// A MaintenanceCalendar is an immutable snapshot of every window. Because the
// set of windows in effect only changes at a window boundary, callers ask
// once for the ActiveSet at an instant (valid until NextChange()) and test
// monitors against it: an id lookup in a hash set plus the label selectors of
// the windows in effect only, already parsed. Evaluating 1M monitors therefore
// costs 1M hash lookups and a few selector matches each, not a pass over
// every window's schedule per monitor.
//
// Example:
//   std::shared_ptr<const MaintenanceCalendar> calendar = MaintenanceCalendar::Build(windows);
//   MaintenanceCalendar::ActiveSet active = calendar->ActiveAt(now);
//   bool quiet = active.Covers(monitor);
//   absl::Time recheck = calendar->NextChange(now);
#ifndef UPTIME_COORDINATOR_CATALOG_MAINTENANCE_CALENDAR_H_
#define UPTIME_COORDINATOR_CATALOG_MAINTENANCE_CALENDAR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/labels.h"
#include "uptime/v1/maintenance.pb.h"
#include "uptime/v1/monitor.pb.h"

namespace uptime::coordinator {

struct TimeInterval {
  absl::Time start;
  absl::Time end;
};

// The longest recurring occurrence: a week covers any weekday pattern.
inline constexpr absl::Duration kMaxRecurrenceDuration = absl::Hours(24 * 7);
inline constexpr absl::Duration kMinRecurrenceDuration = absl::Minutes(1);

// When one window is in effect. Immutable and cheap to copy.
class WindowSchedule {
 public:
  // Checks and compiles the time fields of `window` (start/end times and
  // the recurrence, with its time zone); names, descriptions and targets are
  // not its business. INVALID_ARGUMENT naming the field under `field`, e.g.
  // "window.end_time: must be after start_time". An empty time zone means
  // UTC.
  static absl::StatusOr<WindowSchedule> Compile(const v1::MaintenanceWindow& window,
                                                absl::string_view field = "window");

  // The parts of occurrences that overlap [from, to), clipped to the bounds,
  // ordered by start.
  std::vector<TimeInterval> Occurrences(absl::Time from, absl::Time to) const;

  bool ActiveAt(absl::Time t) const;

  // The occurrence in effect at `now` or, when none is, the next one to
  // start; nullopt when the window will not be in effect again.
  std::optional<TimeInterval> CurrentOrNext(absl::Time now) const;

  // The earliest start or end of an occurrence strictly after `now`;
  // InfiniteFuture() when there is none.
  absl::Time NextChange(absl::Time now) const;

 private:
  WindowSchedule() = default;

  // One-off: the window. Recurring: the bounds (infinite when unset).
  absl::Time start_ = absl::InfinitePast();
  absl::Time end_ = absl::InfiniteFuture();
  bool recurring_ = false;
  absl::TimeZone zone_;
  uint8_t weekdays_ = 0;  // bit i: absl::Weekday i (monday = 0)
  int minute_of_day_ = 0;
  absl::Duration duration_;
};

// "HH:MM" (00:00..23:59) as minutes since midnight; nullopt otherwise.
std::optional<int> ParseTimeOfDay(absl::string_view text);

// Thread-safe: immutable except for a small internal cache behind a mutex.
class MaintenanceCalendar {
 public:
  // The windows in effect at one instant, with what they cover. Copyable;
  // valid as long as nothing but time changes, until the calendar's
  // NextChange() of that instant.
  class ActiveSet {
   public:
    bool Covers(const v1::Monitor& monitor) const;
    bool empty() const { return window_ids_.empty(); }
    // Ids of the windows in effect, in id order.
    const std::vector<std::string>& window_ids() const { return window_ids_; }

   private:
    friend class MaintenanceCalendar;
    absl::flat_hash_set<std::string> monitor_ids_;
    std::vector<std::shared_ptr<const LabelSelector>> selectors_;
    std::vector<std::string> window_ids_;
  };

  // No windows.
  MaintenanceCalendar() = default;
  MaintenanceCalendar(const MaintenanceCalendar&) = delete;
  MaintenanceCalendar& operator=(const MaintenanceCalendar&) = delete;

  // A window that does not compile (only possible for one stored by another
  // build, e.g. a time zone this host lacks) is left out and counted in
  // skipped(): refusing the whole calendar would end every other window too.
  static std::shared_ptr<const MaintenanceCalendar> Build(
      absl::Span<const v1::MaintenanceWindow> windows);

  ActiveSet ActiveAt(absl::Time now) const;

  // Whether `monitor` is covered at `now`. Reuses the ActiveSet of the last
  // call while `now` is before its next change, so calling it for every
  // monitor at about the same time is cheap.
  bool InMaintenance(const v1::Monitor& monitor, absl::Time now) const;

  // The earliest time after `now` at which any window starts or ends;
  // InfiniteFuture() when none will.
  absl::Time NextChange(absl::Time now) const;

  size_t size() const { return windows_.size(); }
  int skipped() const { return skipped_; }

 private:
  struct Window {
    std::string id;
    WindowSchedule schedule;
    std::vector<std::string> monitor_ids;
    std::shared_ptr<const LabelSelector> selector;  // null when none
  };

  std::vector<Window> windows_;  // id order
  int skipped_ = 0;

  mutable absl::Mutex cache_mu_;
  mutable std::optional<ActiveSet> cached_ ABSL_GUARDED_BY(cache_mu_);
  mutable absl::Time cached_from_ ABSL_GUARDED_BY(cache_mu_);
  mutable absl::Time cached_until_ ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_MAINTENANCE_CALENDAR_H_
