// A throwaway Redis 7 server for one test, on a free port of 127.0.0.1, with
// persistence off and its working directory in a temp dir.
//
// Example:
//   auto redis = RedisServer::Start();
//   ASSERT_TRUE(redis.ok()) << redis.status();
//   redisContext* c = redisConnect("127.0.0.1", (*redis)->port());
//   ASSERT_TRUE((*redis)->Stop().ok());        // clients see the outage
//   ASSERT_TRUE((*redis)->StartAgain().ok());  // same port, empty data
//
// Thread-safety: not thread-safe; drive it from the test's main thread.

#ifndef UPTIME_TESTS_SUPPORT_REDIS_SERVER_H_
#define UPTIME_TESTS_SUPPORT_REDIS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace uptime::testing {

class RedisServer {
 public:
  // Starts redis-server and waits until it answers PING.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start();

  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();

  // "127.0.0.1:N".
  std::string host_port() const;
  int port() const { return port_; }
  // True if a PING over a fresh TCP connection gets +PONG within a second.
  bool Ping() const;
  // The server's log (stdout/stderr), kept across restarts.
  std::string ReadLog() const;

  // SIGTERM and wait for exit. All data is lost (persistence is off). OK if
  // already stopped.
  absl::Status Stop();
  // Starts again on the same port; waits for PING. OK if already running.
  absl::Status StartAgain();

 private:
  RedisServer(TempDir dir, int port) : dir_(std::move(dir)), port_(port) {}

  TempDir dir_;
  const int port_;
  std::unique_ptr<Process> process_;  // Null while stopped.
};

// Sends PING to a Redis server at 127.0.0.1:`port` and returns true on
// +PONG. Hand-written RESP so the fixture does not depend on a client
// library.
bool RedisPing(int port, absl::Duration timeout = absl::Seconds(1));

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_REDIS_SERVER_H_
