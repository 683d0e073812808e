#include "store/testing/store_test_env.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg_pool.h"
#include "tests/support/postgres_server.h"

namespace uptime::testing {
namespace {

struct SharedServer {
  absl::Mutex mu;
  std::unique_ptr<PostgresServer> server ABSL_GUARDED_BY(mu);
  int databases ABSL_GUARDED_BY(mu) = 0;
};

SharedServer& Shared() {
  // Destroyed at exit, which stops the server.
  static SharedServer shared;
  return shared;
}

std::string DsnFor(const PostgresServer& server, absl::string_view dbname) {
  return absl::StrCat("host=127.0.0.1 port=", server.port(), " user=uptime dbname=", dbname);
}

}  // namespace

absl::StatusOr<std::string> FreshDatabase(bool migrated) {
  SharedServer& shared = Shared();
  absl::MutexLock lock(&shared.mu);
  if (shared.server == nullptr) {
    ASSIGN_OR_RETURN(shared.server, PostgresServer::Start());
    // The pool (its connections) must be gone before `uptime` is copied.
    store::PgPool pool({.conn = {.dsn = shared.server->dsn()}, .size = 1});
    RETURN_IF_ERROR(store::ApplyMigrations(pool).status());
  }
  const std::string name = absl::StrCat("test_", ++shared.databases);
  ASSIGN_OR_RETURN(std::unique_ptr<store::PgConn> admin,
                   store::PgConn::Dial({.dsn = DsnFor(*shared.server, "postgres")}));
  RETURN_IF_ERROR(admin->ExecScript(absl::StrCat("CREATE DATABASE ", name, " TEMPLATE ",
                                                migrated ? "uptime" : "template0")));
  return DsnFor(*shared.server, name);
}

}  // namespace uptime::testing
