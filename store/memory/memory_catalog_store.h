// MemoryCatalogStore: the catalog store in memory, for tests and for a
// coordinator run without PostgreSQL. Enforces the same unique ids and names.
#ifndef UPTIME_STORE_MEMORY_MEMORY_CATALOG_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_CATALOG_STORE_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/catalog_store.h"

namespace uptime::store {

// Thread-safe.
class MemoryCatalogStore : public CatalogStore {
 public:
  absl::StatusOr<std::vector<v1::Monitor>> LoadMonitors() override;
  absl::Status InsertMonitor(const v1::Monitor& monitor) override;
  absl::Status UpdateMonitor(const v1::Monitor& monitor) override;
  absl::Status DeleteMonitor(const std::string& id) override;

  absl::StatusOr<std::vector<v1::Channel>> LoadChannels() override;
  absl::Status InsertChannel(const v1::Channel& channel) override;
  absl::Status UpdateChannel(const v1::Channel& channel) override;
  absl::Status DeleteChannel(const std::string& id) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, v1::Monitor> monitors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::Channel> channels_ ABSL_GUARDED_BY(mu_);
  // name -> id, for the unique-name checks.
  std::map<std::string, std::string, std::less<>> monitor_names_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> channel_names_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_CATALOG_STORE_H_
