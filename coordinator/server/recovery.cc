#include "coordinator/server/recovery.h"

#include <map>
#include <set>
#include <string>

#include "common/proto_time.h"
#include "common/status_macros.h"

namespace uptime::coordinator {

absl::Status ReconcileWithIncidents(store::IncidentStore& incidents, absl::Time now,
                                    std::vector<v1::MonitorStatus>& states) {
  std::map<std::string, v1::Incident> open;  // by monitor id
  std::string token;
  do {
    ASSIGN_OR_RETURN(store::IncidentPage page,
                     incidents.ListIncidents(
                         {.open_only = true, .page_size = 1000, .page_token = token}));
    for (v1::Incident& i : page.incidents) open[i.monitor_id()] = std::move(i);
    token = page.next_page_token;
  } while (!token.empty());
  std::set<std::string> seen;
  for (v1::MonitorStatus& s : states) {
    seen.insert(s.monitor_id());
    auto it = open.find(s.monitor_id());
    if (s.state() == v1::STATE_MAINTENANCE) {
      // Silent while the window lasts, but the incident it will resume
      // (or close) when the window ends must be the store's.
      if (it != open.end()) {
        s.set_open_incident_id(it->second.id());
      } else {
        s.clear_open_incident_id();
      }
      continue;
    }
    if (it != open.end()) {
      const bool behind = s.state() == v1::STATE_UP || s.state() == v1::STATE_PENDING ||
                          (s.state() == v1::STATE_DOWN && s.open_incident_id() != it->second.id());
      if (!behind) continue;
      s.set_state(v1::STATE_DOWN);
      *s.mutable_since() = it->second.started();
      s.set_open_incident_id(it->second.id());
    } else if (s.state() == v1::STATE_DOWN) {
      s.set_state(v1::STATE_UP);
      ToProto(now, s.mutable_since());
      s.clear_open_incident_id();
    }
  }
  for (const auto& [monitor_id, incident] : open) {
    if (seen.contains(monitor_id)) continue;
    v1::MonitorStatus& s = states.emplace_back();
    s.set_monitor_id(monitor_id);
    s.set_state(v1::STATE_DOWN);
    *s.mutable_since() = incident.started();
    s.set_open_incident_id(incident.id());
  }
  return absl::OkStatus();
}

}  // namespace uptime::coordinator
