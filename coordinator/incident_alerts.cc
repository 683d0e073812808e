#include "coordinator/incident_alerts.h"

namespace uptime::coordinator {

void IncidentAlerts::IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) {
  if (next_ != nullptr) next_->IncidentOpened(incident, monitor);
  sender_->Deliver(incident.id(), BuildIncidentOutbox(incident, monitor, /*recovered=*/false,
                                                      clock_->Now(), dashboard_url_));
}

void IncidentAlerts::IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) {
  if (next_ != nullptr) next_->IncidentResolved(incident, monitor);
  sender_->Deliver(incident.id(), BuildIncidentOutbox(incident, monitor, /*recovered=*/true,
                                                      clock_->Now(), dashboard_url_));
}

}  // namespace uptime::coordinator
