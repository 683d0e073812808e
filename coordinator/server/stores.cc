#include "coordinator/server/stores.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "spdlog/spdlog.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_catalog_store.h"
#include "store/memory/memory_incident_store.h"
#include "store/memory/memory_maintenance_store.h"
#include "store/memory/memory_result_store.h"
#include "store/memory/memory_status_page_store.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg_account_store.h"
#include "store/postgres/pg_catalog_store.h"
#include "store/postgres/pg_incident_store.h"
#include "store/postgres/pg_maintenance_store.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_result_store.h"
#include "store/postgres/pg_status_page_store.h"
#include "store/redis/redis_status_cache.h"

namespace uptime::coordinator {

Stores::Stores(const StoresConfig& config, Clock* clock) {
  if (!config.postgres_dsn.empty()) {
    pool_ = std::make_unique<store::PgPool>(
        store::PgPoolOptions{.conn = {.dsn = config.postgres_dsn}, .size = config.pool_size});
    catalog_ = std::make_unique<store::PgCatalogStore>(pool_.get());
    results_ = std::make_unique<store::PgResultStore>(pool_.get());
    incidents_ = std::make_unique<store::PgIncidentStore>(pool_.get(), clock);
    maintenance_ = std::make_unique<store::PgMaintenanceStore>(pool_.get());
    status_pages_ = std::make_unique<store::PgStatusPageStore>(pool_.get());
    accounts_ = std::make_unique<store::PgAccountStore>(pool_.get());
  } else {
    // First: the other memory stores append their audit events to its log.
    accounts_ = std::make_unique<store::MemoryAccountStore>();
    catalog_ = std::make_unique<store::MemoryCatalogStore>(accounts_.get());
    results_ = std::make_unique<store::MemoryResultStore>();
    incidents_ = std::make_unique<store::MemoryIncidentStore>(clock);
    maintenance_ = std::make_unique<store::MemoryMaintenanceStore>(accounts_.get());
    status_pages_ = std::make_unique<store::MemoryStatusPageStore>(accounts_.get());
  }
  if (!config.redis.empty()) {
    cache_ = std::make_unique<store::RedisStatusCache>(
        store::RedisStatusCacheOptions{.redis = {.host_port = config.redis}}, clock);
  }
}

Stores::~Stores() = default;

absl::Status Stores::Prepare(absl::Time now, absl::Duration patience) {
  if (pool_ == nullptr) return absl::OkStatus();
  const int64_t attempts = std::max<int64_t>(1, absl::ToInt64Seconds(patience));
  absl::StatusOr<int> version = store::ApplyMigrations(*pool_);
  for (int64_t i = 1; i < attempts && !version.ok() && absl::IsUnavailable(version.status()); ++i) {
    // Start-up only, before anything else runs: a plain wait is fine here.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    version = store::ApplyMigrations(*pool_);
  }
  if (!version.ok()) return version.status();
  if (absl::Status s = store::EnsurePartitions(*pool_, now); !s.ok()) return s;
  spdlog::info("database schema at version {}", *version);
  return absl::OkStatus();
}

PipelineStores Stores::view() const {
  return PipelineStores{.catalog = catalog_.get(),
                        .results = results_.get(),
                        .incidents = incidents_.get(),
                        .maintenance = maintenance_.get(),
                        .status_pages = status_pages_.get(),
                        .cache = cache_.get()};
}

}  // namespace uptime::coordinator
