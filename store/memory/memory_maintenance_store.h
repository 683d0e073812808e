// MaintenanceStore in memory: for unit tests, and for a coordinator run
// without PostgreSQL (nothing survives a restart then).
//
// Thread-safety: thread-safe (one mutex).
#ifndef UPTIME_STORE_MEMORY_MEMORY_MAINTENANCE_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_MAINTENANCE_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/maintenance_store.h"

namespace uptime::store {

class MemoryMaintenanceStore : public MaintenanceStore {
 public:
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> LoadWindows() override;
  absl::Status InsertWindow(const v1::MaintenanceWindow& window) override;
  absl::Status UpdateWindow(const v1::MaintenanceWindow& window) override;
  absl::Status DeleteWindow(const std::string& id) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, v1::MaintenanceWindow> windows_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_MAINTENANCE_STORE_H_
