// Housekeeping: the periodic upkeep of stored results that Persistence runs
// on its ordered thread every housekeeping_interval: rolling minute buckets
// up into hours, then deleting raw results, minute and hour buckets past
// their retention (ResultStore::ApplyRetention). Failures are logged and left to the next run (both steps are
// idempotent and catch up).
#ifndef UPTIME_COORDINATOR_PERSISTENCE_HOUSEKEEPING_H_
#define UPTIME_COORDINATOR_PERSISTENCE_HOUSEKEEPING_H_

#include "absl/time/time.h"
#include "store/result_store.h"

namespace uptime::coordinator {

// One housekeeping run as of `now`, keeping raw results `raw_retention_days`
// and minute buckets `minute_retention_days`.
void Housekeep(store::ResultStore* results, absl::Time now, int raw_retention_days,
               int minute_retention_days);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_PERSISTENCE_HOUSEKEEPING_H_
