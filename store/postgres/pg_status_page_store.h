// StatusPageStore on PostgreSQL: table `status_pages` (migration 4 in
// migrations_sql.cc). Each row keeps the whole serialized page in `spec`,
// which is what the coordinator loads, plus SQL-visible copies of its slug,
// title and times; the slug's UNIQUE constraint is the last word on who
// owns a slug. Each write and its audit event (table `audit_events`) are one
// transaction.
//
// Thread-safety: thread-safe; the pool must outlive the store.
#ifndef UPTIME_STORE_POSTGRES_PG_STATUS_PAGE_STORE_H_
#define UPTIME_STORE_POSTGRES_PG_STATUS_PAGE_STORE_H_

#include "store/postgres/pg_pool.h"
#include "store/status_page_store.h"

namespace uptime::store {

class PgStatusPageStore : public StatusPageStore {
 public:
  explicit PgStatusPageStore(PgPool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::StatusPage>> LoadPages() override;
  absl::Status InsertPage(const v1::StatusPage& page, const v1::AuditEvent& audit) override;
  absl::Status UpdatePage(const v1::StatusPage& page, const v1::AuditEvent& audit) override;
  absl::Status DeletePage(const std::string& id, const v1::AuditEvent& audit) override;

 private:
  PgPool* const pool_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_STATUS_PAGE_STORE_H_
