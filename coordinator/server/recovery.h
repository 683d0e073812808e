// Recovery after a restart or a failover: what a new leader restores.
//
// Incidents are written as they happen, state snapshots about every second,
// so after a crash a snapshot can lag behind the incidents. The incidents are
// the truth: ReconcileWithIncidents() corrects the saved states before the
// status tracker restores them, so an incident is never opened (and alerted)
// a second time, and one closed before the crash stays closed.
#ifndef UPTIME_COORDINATOR_SERVER_RECOVERY_H_
#define UPTIME_COORDINATOR_SERVER_RECOVERY_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "store/incident_store.h"
#include "uptime/v1/status.pb.h"

namespace uptime::coordinator {

// Makes `states` agree with the open incidents in `incidents`:
//  - a monitor with an open incident is DOWN with that incident (since its
//    start), unless it already is;
//  - a DOWN monitor without one is UP since `now`;
//  - a MAINTENANCE monitor keeps its state but takes the store's open
//    incident (or none), to resume or close when its window ends;
//  - an open incident of a monitor with no saved state adds a DOWN state.
// An error from the store leaves `states` unchanged in meaning (partially
// read incidents are not applied).
absl::Status ReconcileWithIncidents(store::IncidentStore& incidents, absl::Time now,
                                    std::vector<v1::MonitorStatus>& states);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_SERVER_RECOVERY_H_
