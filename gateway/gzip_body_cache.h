// GzipBodyCache: the gzip copy of shared response bodies, made once per
// body rather than per request. A shared body is never modified
// (http_types.h), and cached answers are replaced, not changed, when the
// snapshot moves on; so the body's identity keys its copy, and a copy is
// made once per snapshot version of an answer. Entries last while their
// body lives (and at most `capacity` of them).
//
// Example:
//   std::shared_ptr<const std::string> gz = cache.GzipFor(body);
//   response.shared_body = gz;  // with Content-Encoding: gzip
//
// Thread-safety: thread-safe. Compression runs outside the lock; two
// threads asking for the same new body may both compress it (equal
// results; one is kept).
#ifndef UPTIME_GATEWAY_GZIP_BODY_CACHE_H_
#define UPTIME_GATEWAY_GZIP_BODY_CACHE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace uptime::gateway {

class GzipBodyCache {
 public:
  // `level`: zlib's 1 (fastest) .. 9 (smallest).
  explicit GzipBodyCache(size_t capacity = 16, int level = 6)
      : capacity_(capacity), level_(level) {}

  // The gzip copy of *body (never modified once returned); null if zlib
  // failed (the caller then sends the body plain).
  std::shared_ptr<const std::string> GzipFor(const std::shared_ptr<const std::string>& body);

  // How many copies were made (for tests: once per body).
  uint64_t compressions() const;

 private:
  struct Entry {
    std::weak_ptr<const std::string> body;
    const std::string* raw = nullptr;  // identity; valid while `body` is
    std::shared_ptr<const std::string> gzip;
    uint64_t used = 0;
  };

  const size_t capacity_;
  const int level_;
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t tick_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t compressions_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_GZIP_BODY_CACHE_H_
