#include "coordinator/alerting/incident_alerts.h"

#include <utility>
#include <vector>

#include "coordinator/alerting/alert_payload.h"

namespace uptime::coordinator {

void IncidentAlerts::IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) {
  Forward(incident, monitor, /*resolved=*/false);
}

void IncidentAlerts::IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) {
  Forward(incident, monitor, /*resolved=*/true);
}

void IncidentAlerts::Forward(const v1::Incident& incident, const v1::Monitor& monitor,
                             bool resolved) {
  std::vector<store::OutboxRow> rows =
      BuildIncidentOutbox(incident, monitor, resolved, clock_->Now(), dashboard_url_);
  if (recorder_ != nullptr) recorder_->RecordIncident(incident, resolved, rows);
  sender_->Deliver(incident.id(), std::move(rows));
}

}  // namespace uptime::coordinator
