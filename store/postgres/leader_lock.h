// Leader election with a PostgreSQL session advisory lock.
//
// The lock lives as long as the session on a connection dedicated to it, so
// a leader that dies, hangs past the TCP timeouts, or loses its connection
// (server restart, network) stops being leader on the server's side. While
// the lock is held, a watcher thread notices loss on the client's side:
// immediately when the server closes the socket, and within check_interval
// (plus TCP timeouts) otherwise, by running a cheap query. It then clears
// HeldNow() and calls `on_lost` once; the coordinator is expected to stop at
// once (fail-stop), since a standby may already hold the lock.
//
// Real time, not an injected Clock: the waits here are for a real server and
// its sockets, which a simulated clock cannot move.
//
// Example:
//   LeaderLock lock({.conn = {.dsn = dsn}}, [] { Fatal("lost leadership"); });
//   RETURN_IF_ERROR(lock.AcquireBlocking(absl::InfiniteFuture()));
//   ServeAsLeader();
//
// Thread-safety: TryAcquire/AcquireBlocking/Release/HeldNow may be called
// from any thread. `on_lost` runs on the watcher thread and must not call
// back into the lock (other than HeldNow) nor destroy it.
#ifndef UPTIME_STORE_POSTGRES_LEADER_LOCK_H_
#define UPTIME_STORE_POSTGRES_LEADER_LOCK_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/postgres/pg_conn.h"

namespace uptime::store {

struct LeaderLockOptions {
  // Its tcp_user_timeout is replaced by the one below.
  PgConnOptions conn = {};
  // The advisory lock key; one per group of coordinators (a future
  // partitioned setup would use one key per partition).
  int64_t key = 0x7570746c65616472;  // "uptleadr"
  // How often AcquireBlocking() retries.
  absl::Duration poll_interval = absl::Milliseconds(500);
  // How often the watcher queries the server while the lock is held.
  absl::Duration check_interval = absl::Seconds(1);
  // Lower than for queries: the leader must notice a partition before the
  // server frees the lock (see kServerKeepalive in leader_lock.cc), or two
  // coordinators would lead at once.
  absl::Duration tcp_user_timeout = absl::Seconds(5);
};

class LeaderLock {
 public:
  explicit LeaderLock(LeaderLockOptions options, std::function<void()> on_lost = nullptr);
  // Release()s.
  ~LeaderLock();
  LeaderLock(const LeaderLock&) = delete;
  LeaderLock& operator=(const LeaderLock&) = delete;

  // One attempt: true if this lock holds it now (also when it already did),
  // false if another session does. UNAVAILABLE when the server is unreachable.
  absl::StatusOr<bool> TryAcquire();

  // Retries TryAcquire() every poll_interval, through connection errors,
  // until it holds the lock or `deadline` passes (DEADLINE_EXCEEDED, with
  // the last connection error if any).
  absl::Status AcquireBlocking(absl::Time deadline);

  // False once loss has been detected or after Release().
  bool HeldNow() const { return held_.load(std::memory_order_acquire); }

  // Unlocks and closes the connection (freeing the lock for a standby at
  // once). `on_lost` is not called. Safe to call when not holding.
  void Release();

 private:
  void Watch(PgConn* conn);
  void StopWatcher();

  const LeaderLockOptions options_;
  const std::function<void()> on_lost_;
  std::atomic<bool> held_{false};
  // Written by Release() to wake the watcher (an eventfd).
  const int wake_fd_;

  absl::Mutex mu_;
  // Used by acquiring threads under mu_ while not held, and by the watcher
  // alone while held; StopWatcher() hands it back.
  std::unique_ptr<PgConn> conn_ ABSL_GUARDED_BY(mu_);
  std::thread watcher_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_LEADER_LOCK_H_
