// RoleCache: token -> role answers of AuthService.GetCaller, kept for a
// short TTL so reads served from memory need no round trip per request.
// Rejections (UNAUTHENTICATED) are cached too, so a client hammering with a
// bad token does not turn every request into a coordinator call.
//
// Bounded: past `max_entries`, expired entries are swept and, if that is not
// enough, the whole cache is cleared (a re-ask costs one RPC per token; an
// unbounded map keyed by attacker-chosen strings costs memory).
//
// The TTL bounds how long a revoked key, an ended session or a disabled
// user still reads from this gateway's memory (proxied calls are checked by
// the coordinator every time); see --role-cache-ttl.
//
// Thread-safety: thread-safe. Time comes from the injected Clock.
#ifndef UPTIME_GATEWAY_ROLE_CACHE_H_
#define UPTIME_GATEWAY_ROLE_CACHE_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "uptime/v1/auth.pb.h"

namespace uptime::gateway {

class RoleCache {
 public:
  RoleCache(Clock* clock, absl::Duration ttl, size_t max_entries);

  // The cached answer for `token`, or nullopt when absent or expired.
  std::optional<absl::StatusOr<v1::Role>> Lookup(const std::string& token) const;

  // Caches an answer. Only definite answers belong here: a role, or
  // UNAUTHENTICATED / PERMISSION_DENIED; not UNAVAILABLE.
  void Put(const std::string& token, absl::StatusOr<v1::Role> answer);

  // Forgets `token` (after this gateway ended its session: refused at once
  // here rather than after the TTL).
  void Erase(const std::string& token);

  size_t size() const;

 private:
  struct Entry {
    absl::StatusOr<v1::Role> answer;
    absl::Time expires;
  };
  Clock* const clock_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_ROLE_CACHE_H_
