#include "store/postgres/pg_conn.h"

#include <poll.h>

#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "store/postgres/pg_text.h"

namespace uptime::store {
namespace {

constexpr char kSqlStatePayload[] = "type.uptime/pg.sqlstate";
constexpr char kConstraintPayload[] = "type.uptime/pg.constraint";

absl::StatusCode CodeForSqlState(absl::string_view state) {
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (state == "23503" || state == "23514") return absl::StatusCode::kFailedPrecondition;
  if (state == "57014") return absl::StatusCode::kDeadlineExceeded;
  if (state == "40001" || state == "40P01" || state == "55P03") return absl::StatusCode::kAborted;
  if (absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") || state == "53300") {
    return absl::StatusCode::kUnavailable;
  }
  if (absl::StartsWith(state, "22") || state == "23502") return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kInternal;
}

std::string TrimmedMessage(const char* message) {
  return std::string(absl::StripAsciiWhitespace(message == nullptr ? "" : message));
}

std::string Payload(const absl::Status& status, const char* key) {
  absl::optional<absl::Cord> value = status.GetPayload(key);
  return value.has_value() ? std::string(*value) : std::string();
}

// The start of a statement, to say which one failed without logging data.
std::string StatementLabel(absl::string_view sql) {
  sql = absl::StripLeadingAsciiWhitespace(sql);
  return std::string(sql.substr(0, std::min(sql.find('\n'), size_t{48})));
}

}  // namespace

PgParam PgParam::Text(std::string value) { return PgParam(std::move(value), false); }
PgParam PgParam::Bytes(std::string value) { return PgParam(std::move(value), true); }
PgParam PgParam::Int(int64_t value) { return PgParam(absl::StrCat(value), false); }
PgParam PgParam::Bool(bool value) { return PgParam(value ? "t" : "f", false); }
PgParam PgParam::Time(absl::Time value) { return PgParam(PgTime(value), false); }
PgParam PgParam::Null() { return PgParam(std::nullopt, false); }

int64_t PgResult::affected() const {
  int64_t n = 0;
  return absl::SimpleAtoi(PQcmdTuples(result_.get()), &n) ? n : 0;
}

absl::string_view PgResult::Text(int row, int col) const {
  return absl::string_view(PQgetvalue(result_.get(), row, col),
                           static_cast<size_t>(PQgetlength(result_.get(), row, col)));
}

int64_t PgResult::Int(int row, int col) const {
  int64_t n = 0;
  return absl::SimpleAtoi(Text(row, col), &n) ? n : 0;
}

double PgResult::Double(int row, int col) const {
  double d = 0;
  return absl::SimpleAtod(Text(row, col), &d) && std::isfinite(d) ? d : 0;
}

bool PgResult::Bool(int row, int col) const { return Text(row, col) == "t"; }

absl::Time PgResult::MicrosTime(int row, int col) const {
  return absl::FromUnixMicros(Int(row, col));
}

std::string PgResult::Bytes(int row, int col) const {
  absl::string_view text = Text(row, col);
  if (!absl::ConsumePrefix(&text, "\\x")) return std::string();
  return absl::HexStringToBytes(text);
}

absl::StatusOr<std::unique_ptr<PgConn>> PgConn::Dial(const PgConnOptions& options) {
  const std::string connect_timeout =
      absl::StrCat(std::max<int64_t>(2, absl::ToInt64Seconds(options.connect_timeout)));
  // Keepalives and tcp_user_timeout bound how long a call can hang on a
  // server that vanished without closing the socket (host down, partition).
  // The DSN comes last so an operator's explicit settings win.
  const char* keys[] = {"connect_timeout", "keepalives",       "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                        "application_name", "dbname",          nullptr};
  const std::string tcp_user_timeout =
      absl::StrCat(absl::ToInt64Milliseconds(options.tcp_user_timeout));
  const char* values[] = {connect_timeout.c_str(), "1", "5", "2", "3", tcp_user_timeout.c_str(),
                          options.application_name.c_str(), options.dsn.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr) return absl::ResourceExhaustedError("postgres: out of memory");
  std::unique_ptr<PgConn> conn(new PgConn(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("postgres: cannot connect: ", TrimmedMessage(PQerrorMessage(raw))));
  }
  // Times are read as Unix microseconds and written as UTC literals, but
  // date_trunc('day'/'hour') follows the session zone, which must be UTC for
  // day bars and hour buckets to be UTC.
  std::string setup = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET bytea_output = 'hex';";
  absl::StrAppend(&setup, " SET statement_timeout = ",
                  absl::ToInt64Milliseconds(options.statement_timeout), ";");
  absl::Status status = conn->ExecScript(setup);
  if (!status.ok()) return status;
  return conn;
}

PgConn::~PgConn() { PQfinish(conn_); }

absl::Status PgConn::ErrorFrom(const PGresult* result, absl::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* constraint = result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  std::string message =
      primary != nullptr ? TrimmedMessage(primary) : TrimmedMessage(PQerrorMessage(conn_));
  absl::StatusCode code;
  if (state != nullptr) {
    code = CodeForSqlState(state);
  } else {
    // No SQLSTATE: libpq itself failed, almost always a lost connection.
    code = broken() ? absl::StatusCode::kUnavailable : absl::StatusCode::kInternal;
  }
  absl::Status status(code, absl::StrCat("postgres: ", what, ": ", message,
                                         state ? absl::StrCat(" (SQLSTATE ", state, ")") : ""));
  if (state != nullptr) status.SetPayload(kSqlStatePayload, absl::Cord(state));
  if (constraint != nullptr) status.SetPayload(kConstraintPayload, absl::Cord(constraint));
  return status;
}

absl::StatusOr<PgResult> PgConn::Exec(const std::string& sql, absl::Span<const PgParam> params) {
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& v = params[i].value();
    values[i] = v.has_value() ? v->data() : nullptr;
    lengths[i] = v.has_value() ? static_cast<int>(v->size()) : 0;
    formats[i] = params[i].binary() ? 1 : 0;
  }
  PGresult* raw = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()),
                               /*paramTypes=*/nullptr, values.data(), lengths.data(),
                               formats.data(), /*resultFormat=*/0);
  PgResult result(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFrom(raw, StatementLabel(sql));
  }
  return result;
}

absl::Status PgConn::ExecScript(const std::string& sql) {
  // PQexec stops at the first failing statement and returns its result.
  PGresult* raw = PQexec(conn_, sql.c_str());
  PgResult result(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorFrom(raw, StatementLabel(sql));
  }
  return absl::OkStatus();
}

absl::Status PgConn::CopyIn(const std::string& copy_sql, absl::string_view data) {
  {
    PGresult* raw = PQexec(conn_, copy_sql.c_str());
    PgResult start(raw);
    if (raw == nullptr || PQresultStatus(raw) != PGRES_COPY_IN) {
      return ErrorFrom(raw, "COPY");
    }
  }
  // libpq queues the data and flushes as the socket allows (blocking mode);
  // chunking keeps its buffer from doubling the batch in memory.
  constexpr size_t kChunk = 1 << 20;
  for (size_t off = 0; off < data.size(); off += kChunk) {
    const size_t n = std::min(kChunk, data.size() - off);
    if (PQputCopyData(conn_, data.data() + off, static_cast<int>(n)) != 1) {
      PQputCopyEnd(conn_, "client failed to send data");
      break;
    }
  }
  absl::Status status;
  if (PQputCopyEnd(conn_, nullptr) != 1) status = ErrorFrom(nullptr, "COPY end");
  // Drain every result so the connection is ready for the next statement.
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult end(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && status.ok()) status = ErrorFrom(raw, "COPY");
  }
  return status;
}

bool PgConn::CheckIdle() {
  if (broken()) return false;
  // An idle connection has nothing to read unless the server spoke first:
  // after a shutdown or pg_terminate_backend, a FATAL error and then EOF. The
  // EOF may arrive in a later read than the error, hence the loop; each
  // PQconsumeInput returns at once (libpq's socket is non-blocking).
  for (int i = 0; i < 4; ++i) {
    pollfd p{PQsocket(conn_), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_) == 0) return false;
    while (PGnotify* notify = PQnotifies(conn_)) PQfreemem(notify);
  }
  return !broken();
}

std::string PgSqlState(const absl::Status& status) { return Payload(status, kSqlStatePayload); }
std::string PgConstraint(const absl::Status& status) { return Payload(status, kConstraintPayload); }

}  // namespace uptime::store
