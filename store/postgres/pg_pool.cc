#include "store/postgres/pg_pool.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace uptime::store {

PgLease::PgLease(PgLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}

PgLease& PgLease::operator=(PgLease&& other) noexcept {
  if (this != &other) {
    Reset();
    pool_ = std::exchange(other.pool_, nullptr);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

PgLease::~PgLease() { Reset(); }

void PgLease::Reset() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Return(std::move(conn_));
  pool_ = nullptr;
  conn_.reset();
}

PgPool::PgPool(PgPoolOptions options) : options_(std::move(options)) {}

PgPool::~PgPool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

int PgPool::open_connections() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

absl::StatusOr<PgLease> PgPool::Acquire() {
  const int size = std::max(1, options_.size);
  std::unique_ptr<PgConn> conn;
  {
    absl::MutexLock lock(&mu_);
    auto available = [this, size]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < size;
    };
    // Real time on purpose: this bounds a wait for a real resource.
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), options_.acquire_timeout)) {
      return absl::DeadlineExceededError(
          absl::StrCat("postgres: all ", size, " pooled connections busy for ",
                       absl::FormatDuration(options_.acquire_timeout)));
    }
    // Drop stale idle connections (the server restarted under them) until a
    // live one turns up; the slot of a dropped one is re-dialled below.
    while (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->CheckIdle()) break;
      conn.reset();
      --open_;
    }
    if (conn == nullptr) ++open_;  // reserve a slot for the dial below
  }
  if (conn == nullptr) {
    // Dial without the lock: connecting can take up to connect_timeout.
    absl::StatusOr<std::unique_ptr<PgConn>> dialled = PgConn::Dial(options_.conn);
    if (!dialled.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      return dialled.status();
    }
    conn = *std::move(dialled);
  }
  return PgLease(this, std::move(conn));
}

void PgPool::Return(std::unique_ptr<PgConn> conn) {
  // A connection left inside a transaction (a failed ROLLBACK, a caller that
  // bailed out) would leak that transaction into the next lease: close it.
  const bool reusable = !conn->broken() && conn->idle();
  if (!reusable) conn.reset();  // PQfinish outside the lock
  absl::MutexLock lock(&mu_);
  if (reusable) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
}

absl::Status PgPool::InTransaction(absl::FunctionRef<absl::Status(PgConn&)> body) {
  absl::StatusOr<PgLease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  return store::InTransaction(**lease, body);
}

absl::Status InTransaction(PgConn& conn, absl::FunctionRef<absl::Status(PgConn&)> body) {
  if (absl::Status begin = conn.ExecScript("BEGIN"); !begin.ok()) return begin;
  absl::Status status = body(conn);
  if (!status.ok()) {
    // Best effort: if ROLLBACK fails too, the pool discards the connection
    // because it is not idle, and the server aborts the transaction.
    absl::Status ignored = conn.ExecScript("ROLLBACK");
    (void)ignored;
    return status;
  }
  // COMMIT of an aborted transaction "succeeds" as a ROLLBACK: refuse it, so a
  // body that swallowed a statement error cannot report a write that never
  // happened.
  if (PQtransactionStatus(conn.raw()) == PQTRANS_INERROR) {
    absl::Status ignored = conn.ExecScript("ROLLBACK");
    (void)ignored;
    return absl::AbortedError("postgres: transaction aborted by an earlier error");
  }
  return conn.ExecScript("COMMIT");
}

}  // namespace uptime::store
