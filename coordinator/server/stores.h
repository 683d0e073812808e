// Stores: the storage a coordinator runs on, chosen by configuration.
//
// With a PostgreSQL DSN: a connection pool and the PostgreSQL stores (the
// source of truth); without one, the in-memory stores (development only:
// nothing survives a restart). With a Redis address, the Redis status cache
// (live status and recent history for the gateway); without one, none.
//
// Example:
//   Stores stores({.postgres_dsn = dsn, .redis = "127.0.0.1:6379"}, clock);
//   RETURN_IF_ERROR(stores.Prepare(clock->Now()));  // migrations, partitions
//   Pipeline pipeline(clock, stores.view(), options, &metrics);
#ifndef UPTIME_COORDINATOR_SERVER_STORES_H_
#define UPTIME_COORDINATOR_SERVER_STORES_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/server/pipeline.h"
#include "store/account_store.h"
#include "store/catalog_store.h"
#include "store/incident_store.h"
#include "store/maintenance_store.h"
#include "store/result_store.h"
#include "store/status_cache.h"
#include "store/status_page_store.h"

namespace uptime::store {
class PgPool;
}

namespace uptime::coordinator {

struct StoresConfig {
  std::string postgres_dsn = {};  // empty: in memory
  std::string redis = {};         // HOST:PORT; empty: no status cache
  int pool_size = 4;
};

class Stores {
 public:
  Stores(const StoresConfig& config, Clock* clock);
  ~Stores();
  Stores(const Stores&) = delete;
  Stores& operator=(const Stores&) = delete;

  // Applies the schema migrations and creates the result partitions around
  // `now`; a no-op in memory. PostgreSQL may still be starting: UNAVAILABLE
  // answers are retried for `patience` (one try a second) before giving up.
  absl::Status Prepare(absl::Time now, absl::Duration patience = absl::Seconds(30));

  bool persistent() const { return pool_ != nullptr; }
  // The stores as the pipeline takes them; valid while this object lives.
  PipelineStores view() const;
  store::PgPool* pool() const { return pool_.get(); }  // null in memory
  store::AccountStore* accounts() const { return accounts_.get(); }

 private:
  std::unique_ptr<store::PgPool> pool_;
  std::unique_ptr<store::CatalogStore> catalog_;
  std::unique_ptr<store::ResultStore> results_;
  std::unique_ptr<store::IncidentStore> incidents_;
  std::unique_ptr<store::MaintenanceStore> maintenance_;
  std::unique_ptr<store::StatusPageStore> status_pages_;
  std::unique_ptr<store::StatusCache> cache_;
  std::unique_ptr<store::AccountStore> accounts_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_SERVER_STORES_H_
