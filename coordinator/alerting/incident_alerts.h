// IncidentAlerts: sits between the status tracker and persistence. For each
// incident change it builds the alert outbox rows once, hands the change and
// its rows to the recorder (Persistence writes both in one transaction) and,
// at the same moment, the rows to the AlertSender's memory, so an alert does
// not wait for the database, and still goes out when the database is down
//.
//
// Thread-safety: as IncidentSink (called under the tracker's lock; only
// builds and queues). Everything passed in must outlive this object.
#ifndef UPTIME_COORDINATOR_ALERTING_INCIDENT_ALERTS_H_
#define UPTIME_COORDINATOR_ALERTING_INCIDENT_ALERTS_H_

#include <string>

#include "common/clock.h"
#include "coordinator/alerting/alert_sender.h"
#include "coordinator/health/incident_sink.h"

namespace uptime::coordinator {

class IncidentAlerts : public IncidentSink {
 public:
  // `recorder` may be null (nothing persisted: memory only).
  IncidentAlerts(Clock* clock, IncidentRecorder* recorder, AlertSender* sender,
                 std::string dashboard_url)
      : clock_(clock),
        recorder_(recorder),
        sender_(sender),
        dashboard_url_(std::move(dashboard_url)) {}

  void IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) override;
  void IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) override;

 private:
  void Forward(const v1::Incident& incident, const v1::Monitor& monitor, bool resolved);

  Clock* const clock_;
  IncidentRecorder* const recorder_;
  AlertSender* const sender_;
  const std::string dashboard_url_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ALERTING_INCIDENT_ALERTS_H_
