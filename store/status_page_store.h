// StatusPageStore: durable status pages.
//
// The coordinator keeps every page in memory (StatusPageRegistry) and writes
// here first; this store only persists whole messages. Validation, id
// assignment and create/update times are the caller's, and so is leaving out
// the output-only `resolved_monitor_ids` (pages are stored as given).
//
// Every write takes the audit event that records it and writes both in one
// transaction (in PostgreSQL): a failed write leaves neither.
//
// Slugs are unique here too, so two writers racing past the registry (a
// leader and a fenced-off former leader) cannot both take one.
//
// Implementations: MemoryStatusPageStore (memory_status_page_store.h, for
// unit tests and the no-PostgreSQL mode) and PgStatusPageStore
// (pg_status_page_store.h).
//
// Example:
//   RETURN_IF_ERROR(store->InsertPage(page, audit));
//   ASSIGN_OR_RETURN(std::vector<v1::StatusPage> all, store->LoadPages());
#ifndef UPTIME_STORE_STATUS_PAGE_STORE_H_
#define UPTIME_STORE_STATUS_PAGE_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/status_page.pb.h"

namespace uptime::store {

// Thread-safe in every implementation.
class StatusPageStore {
 public:
  virtual ~StatusPageStore() = default;

  // Every page, ordered by id.
  virtual absl::StatusOr<std::vector<v1::StatusPage>> LoadPages() = 0;
  // ALREADY_EXISTS when the id or the slug is taken.
  virtual absl::Status InsertPage(const v1::StatusPage& page, const v1::AuditEvent& audit) = 0;
  // Replaces the page with this id. NOT_FOUND for an unknown id;
  // ALREADY_EXISTS when another page has the slug.
  virtual absl::Status UpdatePage(const v1::StatusPage& page, const v1::AuditEvent& audit) = 0;
  // NOT_FOUND for an unknown id.
  virtual absl::Status DeletePage(const std::string& id, const v1::AuditEvent& audit) = 0;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_STATUS_PAGE_STORE_H_
