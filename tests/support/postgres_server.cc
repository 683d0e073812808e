#include "tests/support/postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/eventually.h"
#include "tests/support/ports.h"

namespace uptime::testing {
namespace {

constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin";
constexpr char kSystemUser[] = "postgres";
constexpr absl::Duration kPostgresStartTimeout = absl::Seconds(60);
constexpr absl::Duration kPostgresStopTimeout = absl::Seconds(30);

bool IsRoot() { return ::geteuid() == 0; }

// Lets the `postgres` user own everything under the temp dir, which root
// created.
absl::Status ChownToSystemUser(const std::string& path) {
  struct passwd* pw = ::getpwnam(kSystemUser);
  if (pw == nullptr) {
    return absl::NotFoundError("no `postgres` user: install postgresql");
  }
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return absl::InternalError(
        absl::StrCat("chown ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

ProcessOptions ServerProcess(std::string binary, const std::string& dir) {
  ProcessOptions options;
  options.binary = std::move(binary);
  options.run_as_user = IsRoot() ? kSystemUser : "";
  options.working_dir = dir;  // Root's cwd may not be readable as postgres.
  options.log_path = dir + "/postgres.log";
  // Deterministic messages and collation whatever the host's locale.
  options.extra_env = {{"LC_ALL", "C"}, {"LANG", "C"}};
  return options;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string ConnInfo(int port, absl::string_view dbname) {
  return absl::StrCat("host=127.0.0.1 port=", port,
                      " user=uptime dbname=", dbname, " connect_timeout=2");
}

absl::Status Exec(int port, absl::string_view dbname, const std::string& sql) {
  PGconn* conn = PQconnectdb(ConnInfo(port, dbname).c_str());
  absl::Status status;
  if (PQstatus(conn) != CONNECTION_OK) {
    status = absl::UnavailableError(PQerrorMessage(conn));
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK &&
        PQresultStatus(res) != PGRES_TUPLES_OK) {
      status = absl::InternalError(
          absl::StrCat(sql, ": ", PQresultErrorMessage(res)));
    }
    PQclear(res);
  }
  PQfinish(conn);
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  absl::StatusOr<TempDir> dir = TempDir::Create("uptime-pg-");
  if (!dir.ok()) return dir.status();
  if (IsRoot()) {
    if (absl::Status s = ChownToSystemUser(dir->path()); !s.ok()) return s;
  }
  std::unique_ptr<PostgresServer> server(
      new PostgresServer(*std::move(dir), PickFreePort()));

  ProcessOptions initdb =
      ServerProcess(absl::StrCat(kBinDir, "/initdb"), server->dir_.path());
  initdb.args = {"-D", server->data_dir(), "-A", "trust", "-U", "uptime", "-E",
                 "UTF8", "--locale=C",
                 // Durability is pointless for a throwaway cluster.
                 "--no-sync"};
  absl::StatusOr<std::unique_ptr<Process>> proc = Process::Start(initdb);
  if (!proc.ok()) return proc.status();
  absl::StatusOr<int> code = (*proc)->Wait(kPostgresStartTimeout);
  if (!code.ok() || *code != 0) {
    return absl::InternalError(absl::StrCat(
        "initdb failed (",
        code.ok() ? absl::StrCat("exit ", *code) : code.status().ToString(),
        "):\n", server->ReadLog()));
  }

  if (absl::Status s = server->StartAgain(); !s.ok()) return s;
  if (absl::Status s =
          Exec(server->port_, "postgres", "CREATE DATABASE uptime");
      !s.ok()) {
    return s;
  }
  return server;
}

PostgresServer::~PostgresServer() {
  absl::Status ignored = Stop();  // Kill() in ~Process covers failures.
  (void)ignored;
}

std::string PostgresServer::dsn() const {
  return absl::StrCat("host=127.0.0.1 port=", port_,
                      " user=uptime dbname=uptime");
}

std::string PostgresServer::ReadLog() const { return ReadFile(log_path()); }

absl::Status PostgresServer::StartAgain() {
  if (postmaster_ != nullptr) return absl::OkStatus();
  ProcessOptions options =
      ServerProcess(absl::StrCat(kBinDir, "/postgres"), dir_.path());
  options.args = {"-D", data_dir(),
                  "-p", absl::StrCat(port_),
                  "-k", dir_.path(),
                  "-c", "listen_addresses=127.0.0.1",
                  "-c", "fsync=off",
                  "-c", "synchronous_commit=off",
                  "-c", "full_page_writes=off"};
  absl::StatusOr<std::unique_ptr<Process>> proc = Process::Start(options);
  if (!proc.ok()) return proc.status();
  postmaster_ = *std::move(proc);

  const std::string conninfo = ConnInfo(port_, "postgres");
  bool ready = WaitFor(
      [&] {
        return !postmaster_->Running() || PQping(conninfo.c_str()) == PQPING_OK;
      },
      kPostgresStartTimeout, absl::Milliseconds(10));
  if (!ready || !postmaster_->Running()) {
    postmaster_.reset();
    return absl::UnavailableError(absl::StrCat(
        "postgres did not start on port ", port_, ":\n", ReadLog()));
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::Stop() {
  if (postmaster_ == nullptr) return absl::OkStatus();
  std::unique_ptr<Process> proc = std::move(postmaster_);
  // SIGINT is PostgreSQL's "fast" shutdown (what pg_ctl -m fast sends):
  // sessions are disconnected, a checkpoint is written.
  absl::Status sent = proc->Signal(SIGINT);
  if (!sent.ok() && !absl::IsFailedPrecondition(sent)) return sent;
  absl::StatusOr<int> code = proc->Wait(kPostgresStopTimeout);
  if (!code.ok()) return code.status();  // ~Process kills it.
  return absl::OkStatus();
}

absl::Status PostgresServer::Restart() {
  if (absl::Status s = Stop(); !s.ok()) return s;
  return StartAgain();
}

}  // namespace uptime::testing
