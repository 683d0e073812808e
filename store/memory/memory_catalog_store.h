// MemoryCatalogStore: the catalog store in memory, for tests and for a
// coordinator run without PostgreSQL. Enforces the same unique ids and names.
//
// Audit events go to `audit_log` (when not null) under this store's lock and
// only after the write succeeded, so, as in PostgreSQL, a failed write
// leaves no record.
#ifndef UPTIME_STORE_MEMORY_MEMORY_CATALOG_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_CATALOG_STORE_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/account_store.h"
#include "store/catalog_store.h"

namespace uptime::store {

// Thread-safe.
class MemoryCatalogStore : public CatalogStore {
 public:
  // `audit_log` is not owned, may be null (no records kept) and must outlive
  // the store.
  explicit MemoryCatalogStore(AccountStore* audit_log = nullptr) : audit_log_(audit_log) {}

  absl::StatusOr<std::vector<v1::Monitor>> LoadMonitors() override;
  absl::Status InsertMonitor(const v1::Monitor& monitor, const v1::AuditEvent& audit) override;
  absl::Status UpdateMonitor(const v1::Monitor& monitor, const v1::AuditEvent& audit) override;
  absl::Status DeleteMonitor(const std::string& id, const v1::AuditEvent& audit) override;

  absl::StatusOr<std::vector<v1::Channel>> LoadChannels() override;
  absl::Status InsertChannel(const v1::Channel& channel, const v1::AuditEvent& audit) override;
  absl::Status UpdateChannel(const v1::Channel& channel, const v1::AuditEvent& audit) override;
  absl::Status DeleteChannel(const std::string& id, const v1::AuditEvent& audit) override;

 private:
  // Appends `audit` when `status` is OK; returns `status` otherwise.
  absl::Status RecordLocked(absl::Status status, const v1::AuditEvent& audit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  AccountStore* const audit_log_;
  absl::Mutex mu_;
  std::map<std::string, v1::Monitor> monitors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::Channel> channels_ ABSL_GUARDED_BY(mu_);
  // name -> id, for the unique-name checks.
  std::map<std::string, std::string, std::less<>> monitor_names_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> channel_names_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_CATALOG_STORE_H_
