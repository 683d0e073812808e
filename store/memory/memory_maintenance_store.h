// MaintenanceStore in memory: for unit tests, and for a coordinator run
// without PostgreSQL (nothing survives a restart then).
//
// Audit events go to `audit_log` (when not null) under this store's lock and
// only after the write succeeded: a failed write leaves no record.
//
// Thread-safety: thread-safe (one mutex).
#ifndef UPTIME_STORE_MEMORY_MEMORY_MAINTENANCE_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_MAINTENANCE_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/account_store.h"
#include "store/maintenance_store.h"

namespace uptime::store {

class MemoryMaintenanceStore : public MaintenanceStore {
 public:
  // `audit_log` is not owned, may be null (no records kept) and must outlive
  // the store.
  explicit MemoryMaintenanceStore(AccountStore* audit_log = nullptr) : audit_log_(audit_log) {}

  absl::StatusOr<std::vector<v1::MaintenanceWindow>> LoadWindows() override;
  absl::Status InsertWindow(const v1::MaintenanceWindow& window,
                            const v1::AuditEvent& audit) override;
  absl::Status UpdateWindow(const v1::MaintenanceWindow& window,
                            const v1::AuditEvent& audit) override;
  absl::Status DeleteWindow(const std::string& id, const v1::AuditEvent& audit) override;

 private:
  // Appends `audit` to the log (when there is one).
  absl::Status RecordLocked(const v1::AuditEvent& audit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  AccountStore* const audit_log_;
  absl::Mutex mu_;
  std::map<std::string, v1::MaintenanceWindow> windows_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_MAINTENANCE_STORE_H_
