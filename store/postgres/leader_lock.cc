#include "store/postgres/leader_lock.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace uptime::store {
namespace {

// Server-side keepalives for the lock's session: after a partition the server
// frees the lock once the client is silent ~10 s + 3 x 2 s, rather than after
// the OS default of two hours. The client notices first (a check every
// check_interval failing after tcp_user_timeout, 5 s by default), so the old
// leader has stopped before a standby can take over.
constexpr char kServerKeepalive[] =
    "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 2; "
    "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 16000";

}  // namespace

LeaderLock::LeaderLock(LeaderLockOptions options, std::function<void()> on_lost)
    : options_(std::move(options)),
      on_lost_(std::move(on_lost)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

LeaderLock::~LeaderLock() {
  Release();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void LeaderLock::Watch(PgConn* conn) {
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(options_.check_interval));
  while (true) {
    pollfd fds[2] = {{PQsocket(conn->raw()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, timeout_ms);
    if (fds[1].revents != 0) return;  // Release()
    bool alive;
    if (ready > 0) {
      // The server spoke unprompted: an error before closing, or EOF.
      alive = conn->CheckIdle();
    } else {
      alive = conn->Exec("SELECT 1").ok();
    }
    if (!alive || conn->broken()) break;
  }
  held_.store(false, std::memory_order_release);
  if (on_lost_) on_lost_();
}

void LeaderLock::StopWatcher() {
  std::thread watcher;
  {
    absl::MutexLock lock(&mu_);
    watcher = std::move(watcher_);
  }
  if (!watcher.joinable()) return;
  if (watcher.get_id() == std::this_thread::get_id()) {
    watcher.detach();  // Release() from on_lost: the thread is finishing anyway
    return;
  }
  const uint64_t one = 1;
  ssize_t ignored = ::write(wake_fd_, &one, sizeof(one));
  (void)ignored;
  watcher.join();
  uint64_t drained;
  ignored = ::read(wake_fd_, &drained, sizeof(drained));
}

absl::StatusOr<bool> LeaderLock::TryAcquire() {
  if (HeldNow()) return true;
  StopWatcher();  // a watcher that reported loss has exited; reap it
  absl::MutexLock lock(&mu_);
  if (conn_ != nullptr && !conn_->CheckIdle()) conn_.reset();
  if (conn_ == nullptr) {
    PgConnOptions conn_options = options_.conn;
    conn_options.tcp_user_timeout = options_.tcp_user_timeout;
    absl::StatusOr<std::unique_ptr<PgConn>> conn = PgConn::Dial(conn_options);
    if (!conn.ok()) return conn.status();
    if (absl::Status s = (*conn)->ExecScript(kServerKeepalive); !s.ok()) return s;
    conn_ = *std::move(conn);
  }
  absl::StatusOr<PgResult> got =
      conn_->Exec("SELECT pg_try_advisory_lock($1)", {PgParam::Int(options_.key)});
  if (!got.ok()) {
    if (conn_->broken()) conn_.reset();
    return got.status();
  }
  if (!got->Bool(0, 0)) return false;
  held_.store(true, std::memory_order_release);
  watcher_ = std::thread([this, conn = conn_.get()] { Watch(conn); });
  return true;
}

absl::Status LeaderLock::AcquireBlocking(absl::Time deadline) {
  absl::Status last_error;
  while (true) {
    absl::StatusOr<bool> held = TryAcquire();
    if (held.ok() && *held) return absl::OkStatus();
    if (!held.ok()) last_error = held.status();
    const absl::Time now = absl::Now();
    if (now >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "leader lock not acquired in time",
          last_error.ok() ? "" : absl::StrCat(" (last error: ", last_error.message(), ")")));
    }
    absl::SleepFor(std::min(options_.poll_interval, deadline - now));
  }
}

void LeaderLock::Release() {
  StopWatcher();
  absl::MutexLock lock(&mu_);
  // A TryAcquire() racing with this Release() may have started a new
  // watcher after StopWatcher(): stop that one too before closing.
  while (watcher_.joinable()) {
    mu_.Unlock();
    StopWatcher();
    mu_.Lock();
  }
  if (conn_ != nullptr && HeldNow()) {
    absl::StatusOr<PgResult> ignored =
        conn_->Exec("SELECT pg_advisory_unlock($1)", {PgParam::Int(options_.key)});
    (void)ignored;
  }
  held_.store(false, std::memory_order_release);
  conn_.reset();  // ending the session frees the lock whatever happened above
}

}  // namespace uptime::store
