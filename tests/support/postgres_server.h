// A throwaway PostgreSQL 15 server for one test: its own data directory in a
// temp dir, a free port on 127.0.0.1, trust auth for user `uptime`, and an
// empty database `uptime`.
//
// The postmaster runs as a direct child Process (not daemonized by pg_ctl)
// so that it dies with the test binary if the test crashes. As root it runs
// as the `postgres` system user, since PostgreSQL refuses to run as root.
//
// Example:
//   auto pg = PostgresServer::Start();
//   ASSERT_TRUE(pg.ok()) << pg.status();
//   PGconn* conn = PQconnectdb((*pg)->dsn().c_str());
//   ...
//   ASSERT_TRUE((*pg)->Restart().ok());  // connections drop; data stays
//
// Thread-safety: not thread-safe; drive it from the test's main thread.

#ifndef UPTIME_TESTS_SUPPORT_POSTGRES_SERVER_H_
#define UPTIME_TESTS_SUPPORT_POSTGRES_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace uptime::testing {

class PostgresServer {
 public:
  // initdb + start + CREATE DATABASE uptime. About a second.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  // Stops the server (fast shutdown) and removes the directory.
  ~PostgresServer();

  // libpq connection string: "host=127.0.0.1 port=N user=uptime dbname=uptime".
  std::string dsn() const;
  int port() const { return port_; }
  // The server's own log (kept across restarts).
  std::string ReadLog() const;

  // Fast shutdown: open sessions are cut, committed data is kept. OK if
  // already stopped.
  absl::Status Stop();
  // Starts again on the same directory and port; waits until connections
  // are accepted. OK if already running.
  absl::Status StartAgain();
  // Stop() then StartAgain().
  absl::Status Restart();

 private:
  PostgresServer(TempDir dir, int port) : dir_(std::move(dir)), port_(port) {}

  std::string data_dir() const { return dir_.path() + "/data"; }
  std::string log_path() const { return dir_.path() + "/postgres.log"; }

  TempDir dir_;
  const int port_;
  std::unique_ptr<Process> postmaster_;  // Null while stopped.
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_POSTGRES_SERVER_H_
