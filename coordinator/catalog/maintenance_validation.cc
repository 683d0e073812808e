#include "coordinator/catalog/maintenance_validation.h"

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/labels.h"
#include "common/status_macros.h"
#include "coordinator/catalog/maintenance_calendar.h"
#include "coordinator/catalog/monitor_validation.h"

namespace uptime::coordinator {
absl::Status ValidateMaintenanceWindow(
    const v1::MaintenanceWindow& w, const std::function<bool(const std::string&)>& monitor_exists) {
  if (absl::StripAsciiWhitespace(w.name()).empty()) {
    return absl::InvalidArgumentError("window.name: is required");
  }
  if (Utf8Length(w.name()) > kMaxWindowNameChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("window.name: must be at most ", kMaxWindowNameChars, " characters"));
  }
  if (Utf8Length(w.description()) > kMaxWindowDescriptionChars) {
    return absl::InvalidArgumentError(absl::StrCat("window.description: must be at most ",
                                                   kMaxWindowDescriptionChars, " characters"));
  }
  RETURN_IF_ERROR(ValidateLabels("window.labels", w.labels()));
  if (w.monitor_ids().empty() && w.label_selector().empty()) {
    return absl::InvalidArgumentError(
        "window.monitor_ids: set monitor_ids or label_selector (or both) to say which monitors "
        "the window covers");
  }
  if (w.monitor_ids_size() > kMaxWindowMonitorIds) {
    return absl::InvalidArgumentError(absl::StrCat(
        "window.monitor_ids: at most ", kMaxWindowMonitorIds, " ids (use label_selector)"));
  }
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < w.monitor_ids_size(); ++i) {
    const std::string& id = w.monitor_ids(i);
    const std::string field = absl::StrCat("window.monitor_ids[", i, "]");
    if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": is empty"));
    if (auto [it, added] = seen.emplace(id, i); !added) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": duplicate of monitor_ids[", it->second, "]"));
    }
    if (!monitor_exists(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": unknown monitor '", id.substr(0, 64), "'"));
    }
  }
  if (!w.label_selector().empty()) {
    RETURN_IF_ERROR(LabelSelector::Parse("window.label_selector", w.label_selector()).status());
  }
  return WindowSchedule::Compile(w, "window").status();
}

absl::Status ValidateWindowNotOver(const v1::MaintenanceWindow& window, absl::Time now) {
  ASSIGN_OR_RETURN(const WindowSchedule schedule, WindowSchedule::Compile(window, "window"));
  if (schedule.CurrentOrNext(now)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      window.has_recurrence()
          ? "window.end_time: no occurrence of the recurrence falls before end_time"
          : "window.end_time: is in the past");
}

}  // namespace uptime::coordinator
