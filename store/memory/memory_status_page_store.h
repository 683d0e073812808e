// StatusPageStore in memory: for unit tests, and for a coordinator run
// without PostgreSQL (nothing survives a restart then).
//
// Audit events go to `audit_log` (when not null) under this store's lock and
// only after the write succeeded: a failed write leaves no record.
//
// Thread-safety: thread-safe (one mutex).
#ifndef UPTIME_STORE_MEMORY_MEMORY_STATUS_PAGE_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_STATUS_PAGE_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/account_store.h"
#include "store/status_page_store.h"

namespace uptime::store {

class MemoryStatusPageStore : public StatusPageStore {
 public:
  // `audit_log` is not owned, may be null (no records kept) and must outlive
  // the store.
  explicit MemoryStatusPageStore(AccountStore* audit_log = nullptr) : audit_log_(audit_log) {}

  absl::StatusOr<std::vector<v1::StatusPage>> LoadPages() override;
  absl::Status InsertPage(const v1::StatusPage& page, const v1::AuditEvent& audit) override;
  absl::Status UpdatePage(const v1::StatusPage& page, const v1::AuditEvent& audit) override;
  absl::Status DeletePage(const std::string& id, const v1::AuditEvent& audit) override;

 private:
  // ALREADY_EXISTS if a page other than `id` has `slug`.
  absl::Status CheckSlugFreeLocked(const std::string& slug, const std::string& id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Appends `audit` to the log (when there is one).
  absl::Status RecordLocked(const v1::AuditEvent& audit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  AccountStore* const audit_log_;

  mutable absl::Mutex mu_;
  std::map<std::string, v1::StatusPage> pages_ ABSL_GUARDED_BY(mu_);  // by id
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_STATUS_PAGE_STORE_H_
