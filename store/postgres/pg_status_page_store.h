// StatusPageStore on PostgreSQL: table `status_pages` (migration 4 in
// migrations_sql.cc). Each row keeps the whole serialized page in `spec`,
// which is what the coordinator loads, plus SQL-visible copies of its slug,
// title and times; the slug's UNIQUE constraint is the last word on who
// owns a slug.
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
  absl::Status InsertPage(const v1::StatusPage& page) override;
  absl::Status UpdatePage(const v1::StatusPage& page) override;
  absl::Status DeletePage(const std::string& id) override;

 private:
  PgPool* const pool_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_STATUS_PAGE_STORE_H_
