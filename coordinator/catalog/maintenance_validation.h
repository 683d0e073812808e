// Validation of maintenance windows coming from outside (API calls, YAML),
// without any registry state: shared by the coordinator's
// MaintenanceRegistry and by uptimectl, which checks files before sending
// them.
//
// Two checks, because they apply at different times: ValidateMaintenanceWindow
// holds for every write; ValidateWindowNotOver only for a new window (an
// update may end a window early by moving its end into the past).
//
// Example:
//   RETURN_IF_ERROR(ValidateMaintenanceWindow(window, monitor_exists));
//   RETURN_IF_ERROR(ValidateWindowNotOver(window, clock->Now()));
#ifndef UPTIME_COORDINATOR_CATALOG_MAINTENANCE_VALIDATION_H_
#define UPTIME_COORDINATOR_CATALOG_MAINTENANCE_VALIDATION_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "uptime/v1/maintenance.pb.h"

namespace uptime::coordinator {

inline constexpr size_t kMaxWindowNameChars = 200;
inline constexpr size_t kMaxWindowDescriptionChars = 2000;
inline constexpr int kMaxWindowMonitorIds = 10'000;

// Checks every user-settable field of `window`: name, description, labels,
// monitor_ids (each known to `monitor_exists`, no duplicates),
// label_selector and the schedule (times, recurrence, time zone; an empty
// time zone means UTC). id, times and output-only fields are ignored.
// INVALID_ARGUMENT naming the field: "window.name: ...",
// "window.monitor_ids[2]: unknown monitor ...", "window.labels: ...".
absl::Status ValidateMaintenanceWindow(
    const v1::MaintenanceWindow& window,
    const std::function<bool(const std::string&)>& monitor_exists);

// INVALID_ARGUMENT naming "window.end_time" when `window` (already valid)
// will not be in effect at or after `now` again: a new window must matter.
absl::Status ValidateWindowNotOver(const v1::MaintenanceWindow& window, absl::Time now);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_MAINTENANCE_VALIDATION_H_
