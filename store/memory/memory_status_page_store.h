// StatusPageStore in memory: for unit tests, and for a coordinator run
// without PostgreSQL (nothing survives a restart then).
//
// Thread-safety: thread-safe (one mutex).
#ifndef UPTIME_STORE_MEMORY_MEMORY_STATUS_PAGE_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_STATUS_PAGE_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/status_page_store.h"

namespace uptime::store {

class MemoryStatusPageStore : public StatusPageStore {
 public:
  absl::StatusOr<std::vector<v1::StatusPage>> LoadPages() override;
  absl::Status InsertPage(const v1::StatusPage& page) override;
  absl::Status UpdatePage(const v1::StatusPage& page) override;
  absl::Status DeletePage(const std::string& id) override;

 private:
  // ALREADY_EXISTS if a page other than `id` has `slug`.
  absl::Status CheckSlugFreeLocked(const std::string& slug, const std::string& id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, v1::StatusPage> pages_ ABSL_GUARDED_BY(mu_);  // by id
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_STATUS_PAGE_STORE_H_
