// PublicPageView: everything one public status page shows, and the pure
// functions that pick it and render it (the PublicStatusPage JSON, the
// incident feed, the page's overall state).
//
// What reaches the public is decided here and nowhere else: targets only
// with `show_targets`, incident causes only with `show_incident_causes`,
// latencies only without `hide_response_times`, at most kMaxShownMonitors
// monitors, kMaxShownIncidents incidents.
//
// Example:
//   PageView view = registry.View("acme", now);
//   std::string json = RenderPublicPageJson(*view);
//
// Thread-safety: pure functions over values.
#ifndef UPTIME_GATEWAY_PUBLIC_PAGE_VIEW_H_
#define UPTIME_GATEWAY_PUBLIC_PAGE_VIEW_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gateway/status_feed.h"
#include "uptime/v1/maintenance.pb.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/status.pb.h"
#include "uptime/v1/status_page.pb.h"

namespace uptime::gateway {

inline constexpr size_t kMaxShownMonitors = 1000;
inline constexpr size_t kMaxShownIncidents = 50;
inline constexpr absl::Duration kIncidentHorizon = absl::Hours(24 * 30);
inline constexpr absl::Duration kMaintenanceHorizon = absl::Hours(24 * 7);

// A monitor's live state, as the snapshot and the event stream report it.
struct LiveState {
  std::string name;
  v1::State state = v1::STATE_PENDING;
  absl::Time since = absl::InfinitePast();  // InfinitePast: unknown
  std::optional<double> latency_ms;         // of the latest result
  bool operator==(const LiveState&) const = default;
};

// What the monitor list says about a monitor.
struct MonitorInfo {
  std::string name;
  std::string target;  // URL or host; shown only with show_targets
  std::map<std::string, std::string> labels;
  bool operator==(const MonitorInfo&) const = default;
};

struct ShownGroup {
  std::string name;
  std::vector<std::string> monitor_ids;
};

struct PageView {
  std::shared_ptr<const v1::StatusPage> page;
  std::vector<ShownGroup> groups;
  std::map<std::string, LiveState> live;     // of the page's monitors
  std::map<std::string, MonitorInfo> info;   // of the page's monitors
  std::map<std::string, std::shared_ptr<const v1::GetUptimeResponse>> uptime;
  std::vector<v1::Incident> incidents;           // from SelectIncidents
  std::vector<v1::MaintenanceWindow> maintenance;  // from SelectMaintenance
  absl::Time updated_at = absl::InfinitePast();
  absl::Time now = absl::InfinitePast();
};

// The groups as shown: each group's resolved ids, in order, until
// kMaxShownMonitors monitors in total are shown (a monitor in two groups
// counts once).
std::vector<ShownGroup> ShownGroups(const v1::StatusPage& page);

// Open incidents of `monitors` first (newest first), then those resolved
// within kIncidentHorizon before `now`, newest first; at most
// kMaxShownIncidents.
std::vector<v1::Incident> SelectIncidents(const std::vector<v1::Incident>& all,
                                          const std::set<std::string>& monitors, absl::Time now);

// Windows in effect at `now` or starting within kMaintenanceHorizon that
// cover one of `monitors` (by id, or by label selector on `info`'s labels).
std::vector<v1::MaintenanceWindow> SelectMaintenance(
    const std::vector<v1::MaintenanceWindow>& all, const std::set<std::string>& monitors,
    const std::map<std::string, MonitorInfo>& info, absl::Time now);

// "operational" | "degraded" | "outage" | "maintenance" over the states of
// a page's monitors (paused ones do not count; pending counts as up).
std::string OverallState(const std::vector<v1::State>& states);

// "up", "down", "pending", "paused", "maintenance".
std::string PublicStateName(v1::State state);

// What a monitor's check targets: the URL, host:port or name.
std::string MonitorTarget(const v1::Monitor& monitor);

// The overall state of `view`'s page.
std::string ViewOverall(const PageView& view);

// The PublicStatusPage JSON of the contract (camelCase, optional fields
// omitted when absent).
std::string RenderPublicPageJson(const PageView& view);

// The page's incidents as a feed; `page_path` is "/status/{slug}".
Feed BuildPageFeed(const PageView& view, const std::string& page_path,
                   const std::string& self_path);

// RFC 3339 in UTC, whole seconds.
std::string Rfc3339(absl::Time t);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_PUBLIC_PAGE_VIEW_H_
