#include "gateway/gzip_body_cache.h"

#include <algorithm>

#include "gateway/gzip.h"

namespace uptime::gateway {

std::shared_ptr<const std::string> GzipBodyCache::GzipFor(
    const std::shared_ptr<const std::string>& body) {
  {
    absl::MutexLock lock(&mu_);
    ++tick_;
    for (Entry& e : entries_) {
      // Live entries only: a live body's address is not reused.
      if (e.raw == body.get() && !e.body.expired()) {
        e.used = tick_;
        return e.gzip;
      }
    }
  }
  std::string gz = Gzip(*body, level_);
  if (gz.empty()) return nullptr;
  auto shared = std::make_shared<const std::string>(std::move(gz));
  absl::MutexLock lock(&mu_);
  ++compressions_;
  // Bodies that are gone will never be asked for again.
  std::erase_if(entries_, [](const Entry& e) { return e.body.expired(); });
  for (const Entry& e : entries_) {
    if (e.raw == body.get()) return e.gzip;  // another thread was first
  }
  if (entries_.size() >= capacity_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const Entry& a, const Entry& b) { return a.used < b.used; });
    entries_.erase(oldest);
  }
  entries_.push_back(Entry{body, body.get(), shared, ++tick_});
  return shared;
}

uint64_t GzipBodyCache::compressions() const {
  absl::MutexLock lock(&mu_);
  return compressions_;
}

}  // namespace uptime::gateway
