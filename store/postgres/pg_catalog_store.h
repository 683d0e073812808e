// CatalogStore on PostgreSQL: tables `monitors` and `channels` (see
// migrations_sql.cc). Each row keeps the whole serialized message in `spec`
// plus SQL-visible copies of the name, labels / type and config. Each write
// and its audit event (table `audit_events`) are one transaction.
//
// Thread-safety: thread-safe; the pool must outlive the store.
#ifndef UPTIME_STORE_POSTGRES_PG_CATALOG_STORE_H_
#define UPTIME_STORE_POSTGRES_PG_CATALOG_STORE_H_

#include "store/catalog_store.h"
#include "store/postgres/pg_pool.h"

namespace uptime::store {

class PgCatalogStore : public CatalogStore {
 public:
  explicit PgCatalogStore(PgPool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::Monitor>> LoadMonitors() override;
  absl::Status InsertMonitor(const v1::Monitor& monitor, const v1::AuditEvent& audit) override;
  absl::Status UpdateMonitor(const v1::Monitor& monitor, const v1::AuditEvent& audit) override;
  absl::Status DeleteMonitor(const std::string& id, const v1::AuditEvent& audit) override;

  absl::StatusOr<std::vector<v1::Channel>> LoadChannels() override;
  absl::Status InsertChannel(const v1::Channel& channel, const v1::AuditEvent& audit) override;
  absl::Status UpdateChannel(const v1::Channel& channel, const v1::AuditEvent& audit) override;
  absl::Status DeleteChannel(const std::string& id, const v1::AuditEvent& audit) override;

 private:
  PgPool* const pool_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_CATALOG_STORE_H_
