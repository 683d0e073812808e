// CatalogStore: durable monitors and notification channels.
//
// The coordinator keeps the catalog in memory and writes here first; this
// store only persists whole messages and enforces what the database can
// enforce for it (unique ids and names). Validation, id assignment and
// create/update times are the caller's: messages are stored as given.
//
// Every write takes the audit event that records it (see AccountStore) and
// writes both in one transaction (in PostgreSQL): no change without its
// record, no record without its change. A failed write leaves neither.
//
// Implementations: MemoryCatalogStore (memory/memory_catalog_store.h) and
// PgCatalogStore (postgres/pg_catalog_store.h).
//
// Example:
//   RETURN_IF_ERROR(store->InsertMonitor(monitor, audit));
//   ASSIGN_OR_RETURN(std::vector<v1::Monitor> all, store->LoadMonitors());
#ifndef UPTIME_STORE_CATALOG_STORE_H_
#define UPTIME_STORE_CATALOG_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/notification.pb.h"

namespace uptime::store {

// Thread-safe in every implementation.
class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  // Every monitor, ordered by id.
  virtual absl::StatusOr<std::vector<v1::Monitor>> LoadMonitors() = 0;
  // ALREADY_EXISTS when the id or the name is taken.
  virtual absl::Status InsertMonitor(const v1::Monitor& monitor, const v1::AuditEvent& audit) = 0;
  // Replaces the monitor with this id. NOT_FOUND for an unknown id;
  // ALREADY_EXISTS when the new name belongs to another monitor.
  virtual absl::Status UpdateMonitor(const v1::Monitor& monitor, const v1::AuditEvent& audit) = 0;
  // NOT_FOUND for an unknown id.
  virtual absl::Status DeleteMonitor(const std::string& id, const v1::AuditEvent& audit) = 0;

  // The same contracts for channels. Secrets in `config` are stored in full
  // (but must not be in the audit event: the caller redacts them).
  virtual absl::StatusOr<std::vector<v1::Channel>> LoadChannels() = 0;
  virtual absl::Status InsertChannel(const v1::Channel& channel, const v1::AuditEvent& audit) = 0;
  virtual absl::Status UpdateChannel(const v1::Channel& channel, const v1::AuditEvent& audit) = 0;
  virtual absl::Status DeleteChannel(const std::string& id, const v1::AuditEvent& audit) = 0;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_CATALOG_STORE_H_
