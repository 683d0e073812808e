// Validation of status pages coming from outside (API calls, YAML), without
// any registry state: shared by the coordinator's StatusPageRegistry and by
// uptimectl, which checks files before sending them.
//
// A taken slug is the registry's business, not this file's.
//
// Example:
//   RETURN_IF_ERROR(ValidateStatusPage(page, monitor_exists));
#ifndef UPTIME_COORDINATOR_CATALOG_STATUS_PAGE_VALIDATION_H_
#define UPTIME_COORDINATOR_CATALOG_STATUS_PAGE_VALIDATION_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "uptime/v1/status_page.pb.h"

namespace uptime::coordinator {

// Limits from the contract (status_page.proto).
inline constexpr int kMaxStatusPageGroups = 20;
inline constexpr int kMaxStatusPageGroupIds = 500;

// Checks every user-settable field of `page`: slug syntax, title,
// description, URLs, labels, groups (each monitor id known to
// `monitor_exists`, no duplicates within a group; selectors parse) and the
// announcement. id, times and resolved_monitor_ids are ignored.
// INVALID_ARGUMENT naming the field: "status_page.title: ...",
// "status_page.groups[1].monitor_ids[3]: unknown monitor ...",
// "status_page.labels: ...".
absl::Status ValidateStatusPage(const v1::StatusPage& page,
                                const std::function<bool(const std::string&)>& monitor_exists);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_STATUS_PAGE_VALIDATION_H_
