// MaintenanceStore: durable maintenance windows.
//
// The coordinator keeps every window in memory (MaintenanceRegistry) and
// writes here first; this store only persists whole messages. Validation, id
// assignment and create/update times are the caller's: windows are stored as
// given, output-only fields included.
//
// Every write takes the audit event that records it and writes both in one
// transaction (in PostgreSQL): a failed write leaves neither.
//
// Implementations: MemoryMaintenanceStore (memory_maintenance_store.h, for
// unit tests and the no-PostgreSQL mode) and PgMaintenanceStore
// (pg_maintenance_store.h).
//
// Example:
//   RETURN_IF_ERROR(store->InsertWindow(window, audit));
//   ASSIGN_OR_RETURN(std::vector<v1::MaintenanceWindow> all, store->LoadWindows());
#ifndef UPTIME_STORE_MAINTENANCE_STORE_H_
#define UPTIME_STORE_MAINTENANCE_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/maintenance.pb.h"

namespace uptime::store {

// Thread-safe in every implementation.
class MaintenanceStore {
 public:
  virtual ~MaintenanceStore() = default;

  // Every window, ordered by id.
  virtual absl::StatusOr<std::vector<v1::MaintenanceWindow>> LoadWindows() = 0;
  // ALREADY_EXISTS when the id is taken. Names need not be unique.
  virtual absl::Status InsertWindow(const v1::MaintenanceWindow& window,
                                    const v1::AuditEvent& audit) = 0;
  // Replaces the window with this id. NOT_FOUND for an unknown id.
  virtual absl::Status UpdateWindow(const v1::MaintenanceWindow& window,
                                    const v1::AuditEvent& audit) = 0;
  // NOT_FOUND for an unknown id.
  virtual absl::Status DeleteWindow(const std::string& id, const v1::AuditEvent& audit) = 0;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MAINTENANCE_STORE_H_
