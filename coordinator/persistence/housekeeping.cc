#include "coordinator/persistence/housekeeping.h"

#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {

void Housekeep(store::ResultStore* results, absl::Time now, int raw_retention_days,
               int minute_retention_days) {
  if (absl::Status s = results->RollUpHours(now); !s.ok()) {
    spdlog::warn("hourly roll-up failed: {}", s.message());
  }
  if (absl::Status s = results->ApplyRetention(now, raw_retention_days, minute_retention_days);
      !s.ok()) {
    spdlog::warn("retention failed: {}", s.message());
  }
}

}  // namespace uptime::coordinator
