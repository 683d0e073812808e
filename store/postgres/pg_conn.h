// One libpq connection with absl::Status errors: parameterized queries, scripts
// and COPY FROM STDIN. libpq types never leave this layer except through raw().
//
// Errors are translated by SQLSTATE: unique violation -> ALREADY_EXISTS,
// foreign key -> FAILED_PRECONDITION, statement timeout -> DEADLINE_EXCEEDED,
// serialization failure / deadlock -> ABORTED, bad input -> INVALID_ARGUMENT,
// lost or refused connection -> UNAVAILABLE, anything else -> INTERNAL. The
// SQLSTATE and the violated constraint travel as status payloads.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Dial(options));
//   ASSIGN_OR_RETURN(PgResult r, conn->Exec("SELECT name FROM monitors WHERE id = $1",
//                                           {PgParam::Text(id)}));
//   if (r.rows() == 1) name = r.Text(0, 0);
//
// Thread-safety: a PgConn is used by one thread at a time (the pool's lease
// guarantees it). PgResult is immutable and may be shared.
#ifndef UPTIME_STORE_POSTGRES_PG_CONN_H_
#define UPTIME_STORE_POSTGRES_PG_CONN_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace uptime::store {

struct PgConnOptions {
  // libpq connection string ("host=... port=... dbname=...") or URI. Its own
  // settings win over the defaults below.
  std::string dsn = {};
  absl::Duration connect_timeout = absl::Seconds(5);
  // Server-side limit per statement; 0 disables.
  absl::Duration statement_timeout = absl::Seconds(30);
  std::string application_name = "uptime";
  // Client-side bound on unacknowledged data (and, with keepalives, on a
  // silent peer): how long a call can hang on a server that vanished.
  absl::Duration tcp_user_timeout = absl::Seconds(15);
};

// A query parameter, sent as text except for bytea (sent binary, so no
// escaping and half the bytes).
class PgParam {
 public:
  static PgParam Text(std::string value);
  static PgParam Bytes(std::string value);
  static PgParam Int(int64_t value);
  static PgParam Bool(bool value);
  static PgParam Time(absl::Time value);
  static PgParam Null();

  const std::optional<std::string>& value() const { return value_; }
  bool binary() const { return binary_; }

 private:
  PgParam(std::optional<std::string> value, bool binary)
      : value_(std::move(value)), binary_(binary) {}

  std::optional<std::string> value_;
  bool binary_;
};

// The rows of a successful statement, in text format. Accessors take
// (row, column) and assume the caller's SQL fixed the column types; a NULL
// reads as "" / 0 / false.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  // Rows changed by INSERT/UPDATE/DELETE (PQcmdTuples).
  int64_t affected() const;

  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  absl::string_view Text(int row, int col) const;
  int64_t Int(int row, int col) const;
  double Double(int row, int col) const;
  bool Bool(int row, int col) const;
  // A bigint column holding Unix microseconds (see uptime_us() in the schema).
  absl::Time MicrosTime(int row, int col) const;
  // A bytea column (hex text output) decoded to bytes.
  std::string Bytes(int row, int col) const;

 private:
  std::shared_ptr<PGresult> result_;
};

class PgConn {
 public:
  // Connects and applies the session settings (UTC, statement timeout).
  // UNAVAILABLE when the server cannot be reached or refuses the login.
  static absl::StatusOr<std::unique_ptr<PgConn>> Dial(const PgConnOptions& options);

  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // One statement with $1..$n parameters.
  absl::StatusOr<PgResult> Exec(const std::string& sql, absl::Span<const PgParam> params = {});
  // Several statements without parameters (migrations, BEGIN/COMMIT).
  absl::Status ExecScript(const std::string& sql);
  // Runs `copy_sql` ("COPY t (cols) FROM STDIN") and streams `data`, rows
  // already encoded with pg_text.h.
  absl::Status CopyIn(const std::string& copy_sql, absl::string_view data);

  // Reads whatever the server sent while the connection sat idle, without
  // blocking. False if the connection is gone (e.g. the server restarted and
  // closed it), so a pool can re-dial before handing it out.
  bool CheckIdle();
  // True once libpq has seen the connection fail.
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // True when no transaction is open or aborted.
  bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

  PGconn* raw() { return conn_; }

 private:
  explicit PgConn(PGconn* conn) : conn_(conn) {}

  absl::Status ErrorFrom(const PGresult* result, absl::string_view what);

  PGconn* conn_;
};

// The SQLSTATE / constraint name carried by a status from this layer ("" when
// absent).
std::string PgSqlState(const absl::Status& status);
std::string PgConstraint(const absl::Status& status);

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_CONN_H_
