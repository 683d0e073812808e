// MaintenanceStore on PostgreSQL: table `maintenance_windows` (migration 2 in
// migrations_sql.cc). Each row keeps the whole serialized window in `spec`,
// which is what the coordinator loads, plus SQL-visible copies of its name,
// targets and times for operators reading the database. Each write and its
// audit event (table `audit_events`) are one transaction.
//
// Thread-safety: thread-safe; the pool must outlive the store.
#ifndef UPTIME_STORE_POSTGRES_PG_MAINTENANCE_STORE_H_
#define UPTIME_STORE_POSTGRES_PG_MAINTENANCE_STORE_H_

#include "store/maintenance_store.h"
#include "store/postgres/pg_pool.h"

namespace uptime::store {

class PgMaintenanceStore : public MaintenanceStore {
 public:
  explicit PgMaintenanceStore(PgPool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::MaintenanceWindow>> LoadWindows() override;
  absl::Status InsertWindow(const v1::MaintenanceWindow& window,
                            const v1::AuditEvent& audit) override;
  absl::Status UpdateWindow(const v1::MaintenanceWindow& window,
                            const v1::AuditEvent& audit) override;
  absl::Status DeleteWindow(const std::string& id, const v1::AuditEvent& audit) override;

 private:
  PgPool* const pool_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_MAINTENANCE_STORE_H_
