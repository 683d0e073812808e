// IncidentAlerts: sits between the status tracker and persistence. Each
// incident change goes on to persistence (which writes the incident and its
// outbox rows in one transaction) and, at the same moment, its alerts go to
// the AlertSender's memory, so an alert does not wait for the database — and
// still goes out when the database is down (DESIGN.md §5 "Alerting").
//
// Thread-safety: as IncidentSink (called under the tracker's lock; only
// queues). Everything passed in must outlive this object.
#ifndef UPTIME_COORDINATOR_INCIDENT_ALERTS_H_
#define UPTIME_COORDINATOR_INCIDENT_ALERTS_H_

#include <string>

#include "common/clock.h"
#include "coordinator/alert_sender.h"
#include "coordinator/status_tracker.h"

namespace uptime::coordinator {

class IncidentAlerts : public IncidentSink {
 public:
  // `next` may be null (nothing persisted: memory only).
  IncidentAlerts(Clock* clock, IncidentSink* next, AlertSender* sender,
                 std::string dashboard_url)
      : clock_(clock), next_(next), sender_(sender), dashboard_url_(std::move(dashboard_url)) {}

  void IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) override;
  void IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) override;

 private:
  Clock* const clock_;
  IncidentSink* const next_;
  AlertSender* const sender_;
  const std::string dashboard_url_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_INCIDENT_ALERTS_H_
