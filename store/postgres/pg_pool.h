// A small pool of PostgreSQL connections shared by the stores.
//
// Connections are dialled lazily, up to `size`, and handed out as RAII
// leases. Before a lease is handed out its connection is checked without a
// round trip (PgConn::CheckIdle): after a server restart the stale
// connection is dropped and a new one dialled, so callers see at most one
// failure per connection that broke while in use. A lease whose connection
// broke, or that is returned inside a transaction, is discarded rather than
// reused.
//
// Example:
//   PgPool pool({.conn = {.dsn = dsn}, .size = 4});
//   RETURN_IF_ERROR(pool.InTransaction([&](PgConn& conn) -> absl::Status {
//     RETURN_IF_ERROR(conn.Exec("UPDATE ...", {PgParam::Text(id)}).status());
//     return conn.CopyIn("COPY results (...) FROM STDIN", rows);
//   }));
//
// Thread-safety: thread-safe. The pool must outlive its leases.
#ifndef UPTIME_STORE_POSTGRES_PG_POOL_H_
#define UPTIME_STORE_POSTGRES_PG_POOL_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/postgres/pg_conn.h"

namespace uptime::store {

struct PgPoolOptions {
  PgConnOptions conn = {};
  int size = 4;
  // How long Acquire() waits for a free connection when all are leased.
  absl::Duration acquire_timeout = absl::Seconds(5);
};

class PgPool;

// Exclusive use of one connection until destroyed. Movable.
class PgLease {
 public:
  PgLease(PgLease&& other) noexcept;
  PgLease& operator=(PgLease&& other) noexcept;
  ~PgLease();

  PgConn& operator*() const { return *conn_; }
  PgConn* operator->() const { return conn_.get(); }

 private:
  friend class PgPool;
  PgLease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
  void Reset();

  PgPool* pool_;
  std::unique_ptr<PgConn> conn_;
};

class PgPool {
 public:
  explicit PgPool(PgPoolOptions options);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A healthy connection: an idle one, or a newly dialled one while fewer
  // than `size` are open. UNAVAILABLE when the server cannot be reached;
  // DEADLINE_EXCEEDED when all connections stay leased for acquire_timeout.
  absl::StatusOr<PgLease> Acquire();

  // Acquire() + InTransaction(conn, body).
  absl::Status InTransaction(absl::FunctionRef<absl::Status(PgConn&)> body);

  const PgPoolOptions& options() const { return options_; }
  // Connections currently open (idle, leased or being dialled).
  int open_connections() const;

 private:
  friend class PgLease;
  void Return(std::unique_ptr<PgConn> conn);

  const PgPoolOptions options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConn>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

// Runs `body` between BEGIN and COMMIT on `conn`. If `body` fails the
// transaction is rolled back and its status returned; if COMMIT fails, that
// error is returned (UNAVAILABLE when the connection dropped: the outcome is
// then unknown, so callers' writes should be idempotent or deduplicated).
absl::Status InTransaction(PgConn& conn, absl::FunctionRef<absl::Status(PgConn&)> body);

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_POOL_H_
