// The interfaces through which an incident change leaves the health stage.
//
//   StatusTracker --IncidentSink--> IncidentAlerts (alerting/)
//        builds the alert rows once --IncidentRecorder--> Persistence
//                                   --Deliver-----------> AlertSender
//
// Both are called under the tracker's lock, in the order changes happen:
// implementations only build and queue, never block.
#ifndef UPTIME_COORDINATOR_HEALTH_INCIDENT_SINK_H_
#define UPTIME_COORDINATOR_HEALTH_INCIDENT_SINK_H_

#include <vector>

#include "store/incident_store.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/status.pb.h"

namespace uptime::coordinator {

// Where the tracker reports incidents opening and closing.
class IncidentSink {
 public:
  virtual ~IncidentSink() = default;
  // `monitor` is the definition at the time (channels to alert, name, ...).
  virtual void IncidentOpened(const v1::Incident& incident, const v1::Monitor& monitor) = 0;
  // `incident.resolved` is set.
  virtual void IncidentResolved(const v1::Incident& incident, const v1::Monitor& monitor) = 0;
};

// Where an incident change becomes durable together with the alert outbox
// rows it raises, in one transaction.
class IncidentRecorder {
 public:
  virtual ~IncidentRecorder() = default;
  // `resolved`: the incident closed (its `resolved` time is set); otherwise
  // it opened.
  virtual void RecordIncident(const v1::Incident& incident, bool resolved,
                              std::vector<store::OutboxRow> outbox) = 0;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_HEALTH_INCIDENT_SINK_H_
