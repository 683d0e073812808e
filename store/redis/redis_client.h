// A pipelining Redis client over hiredis (0.14: RESP2, no TLS) with
// reconnection, for the status cache.
//
// Pipeline() appends every command to hiredis's output buffer and then reads
// all replies: one round trip for a whole batch. When the connection fails
// the client drops it and reports UNAVAILABLE; the next call dials again, at
// most once per `reconnect_backoff`, so a down Redis costs callers a fast
// error rather than a connect timeout each. A connection the server closed
// while idle (restart) is noticed before it is used, without a round trip.
//
// Example:
//   RedisClient redis({.host_port = "127.0.0.1:6379"}, RealClock::Get());
//   ASSIGN_OR_RETURN(auto replies, redis.Pipeline({{"SET", "k", "v"}, {"GET", "k"}}));
//
// Thread-safety: thread-safe (calls are serialized on one connection).
#ifndef UPTIME_STORE_REDIS_REDIS_CLIENT_H_
#define UPTIME_STORE_REDIS_REDIS_CLIENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/clock.h"

struct redisContext;

namespace uptime::store {

struct RedisOptions {
  std::string host_port = {};  // "HOST:PORT"
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration command_timeout = absl::Seconds(2);
  absl::Duration reconnect_backoff = absl::Milliseconds(500);
};

struct RedisReply {
  enum class Type { kString, kStatus, kInteger, kNil, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray
};

using RedisCommand = std::vector<std::string>;

class RedisClient {
 public:
  // `clock` paces reconnection attempts and must outlive the client.
  RedisClient(RedisOptions options, Clock* clock);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Replies in command order. UNAVAILABLE while Redis cannot be reached;
  // INTERNAL if any command got an error reply (the others still ran).
  absl::StatusOr<std::vector<RedisReply>> Pipeline(absl::Span<const RedisCommand> commands);

  // Successful connects so far.
  uint64_t generation() const;

 private:
  absl::Status EnsureConnectedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DropLocked(absl::string_view why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RedisOptions options_;
  Clock* const clock_;
  std::string host_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  redisContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Time next_attempt_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_REDIS_REDIS_CLIENT_H_
