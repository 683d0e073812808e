// Proves the process and server fixtures against the real thing: real child
// processes and real PostgreSQL and Redis servers, spoken to with libpq and
// hiredis. The HTTP fixtures are proved in http_fixtures_test.cc.

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/support/eventually.h"
#include "tests/support/ports.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"

namespace uptime::testing {
namespace {

// Process state letter from /proc ('R', 'S', 'T', 'Z'...), or 0 if gone.
char ProcState(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size()
             ? 0
             : stat[paren + 2];
}

// Gone or a zombie waiting for a reaper we do not control (PID 1 here).
bool ProcessGone(pid_t pid) {
  char state = ProcState(pid);
  return state == 0 || state == 'Z' || state == 'X';
}

// ----------------------------------------------------------------- ports --

TEST(PortsTest, PickFreePortCanBeBound) {
  int port = PickFreePort();
  ASSERT_GT(port, 0);
  ASSERT_LT(port, 65536);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
}

// ------------------------------------------------------------ eventually --

TEST(EventuallyTest, WaitForReturnsAsSoonAsTrue) {
  int calls = 0;
  absl::Time start = absl::Now();
  EXPECT_TRUE(WaitFor([&] { return ++calls == 3; }, absl::Seconds(10),
                      absl::Milliseconds(1)));
  EXPECT_EQ(calls, 3);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(EventuallyTest, WaitForGivesUpAtTheDeadline) {
  absl::Time start = absl::Now();
  EXPECT_FALSE(WaitFor([] { return false; }, absl::Milliseconds(100)));
  absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(100));
  EXPECT_LT(took, absl::Seconds(1));
}

TEST(EventuallyTest, MacrosPassAndFailWithTheConditionText) {
  std::atomic<int> n{0};
  std::thread bump([&] { n = 5; });
  ASSERT_EVENTUALLY(n.load() == 5, absl::Seconds(5));
  EXPECT_EVENTUALLY(n.load() == 5, absl::Seconds(5));
  bump.join();
  EXPECT_NONFATAL_FAILURE(
      EXPECT_EVENTUALLY(n.load() == 6, absl::Milliseconds(30)),
      "n.load() == 6");
}

void AssertNeverTrue() {
  ASSERT_EVENTUALLY(1 + 1 == 3, absl::Milliseconds(30));
}

TEST(EventuallyTest, AssertEventuallyIsFatal) {
  EXPECT_FATAL_FAILURE(AssertNeverTrue(), "1 + 1 == 3");
}

// --------------------------------------------------------------- process --

TEST(ProcessTest, CapturesOutputAndExitCode) {
  auto proc =
      Process::Start("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(proc.ok()) << proc.status();
  absl::StatusOr<int> code = (*proc)->Wait(absl::Seconds(5));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 3);
  EXPECT_FALSE((*proc)->Running());
  EXPECT_EQ((*proc)->ReadLog(), "out\nerr\n");
  EXPECT_TRUE(absl::EndsWith((*proc)->log_path(), "/sh.log"));
  EXPECT_TRUE(absl::IsFailedPrecondition((*proc)->Signal(SIGTERM)));
}

TEST(ProcessTest, PassesExtraEnvironmentAndSearchesPath) {
  auto proc = Process::Start("sh", {"-c", "echo \"$UPTIME_X $HOME\""},
                             {{"UPTIME_X", "hello"}, {"HOME", "/nowhere"}});
  ASSERT_TRUE(proc.ok()) << proc.status();
  ASSERT_TRUE((*proc)->Wait(absl::Seconds(5)).ok());
  EXPECT_EQ((*proc)->ReadLog(), "hello /nowhere\n");
}

TEST(ProcessTest, MissingBinaryFailsToStart) {
  EXPECT_FALSE(Process::Start("/nonexistent/uptime-nothing", {}).ok());
  EXPECT_FALSE(Process::Start("uptime-no-such-binary", {}).ok());
}

TEST(ProcessTest, StopSendsSigterm) {
  auto proc = Process::Start("sleep", {"30"});
  ASSERT_TRUE(proc.ok()) << proc.status();
  EXPECT_TRUE((*proc)->Running());
  absl::StatusOr<int> code = (*proc)->Stop();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 128 + SIGTERM);
  EXPECT_FALSE((*proc)->Running());
  EXPECT_TRUE((*proc)->Kill().ok());  // Harmless after exit.
}

TEST(ProcessTest, StopEscalatesToSigkillAfterGrace) {
  // Ignored signals survive exec, so sleep ignores SIGTERM.
  auto proc = Process::Start("/bin/sh",
                             {"-c", "trap '' TERM; echo ready; exec sleep 30"});
  ASSERT_TRUE(proc.ok()) << proc.status();
  // A SIGTERM before the trap would simply end the shell.
  ASSERT_EVENTUALLY((*proc)->ReadLog() == "ready\n", absl::Seconds(5));
  absl::Time start = absl::Now();
  absl::StatusOr<int> code = (*proc)->Stop(absl::Milliseconds(200));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 128 + SIGKILL);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
}

TEST(ProcessTest, SigstopFreezesAndSigcontResumes) {
  auto proc = Process::Start("sleep", {"30"});
  ASSERT_TRUE(proc.ok()) << proc.status();
  pid_t pid = (*proc)->pid();
  ASSERT_TRUE((*proc)->Signal(SIGSTOP).ok());
  ASSERT_EVENTUALLY(ProcState(pid) == 'T', absl::Seconds(5));
  EXPECT_TRUE((*proc)->Running());
  ASSERT_TRUE((*proc)->Signal(SIGCONT).ok());
  ASSERT_EVENTUALLY(ProcState(pid) == 'S', absl::Seconds(5));
  // A stopped process still honours Stop() without waiting out the grace.
  ASSERT_TRUE((*proc)->Signal(SIGSTOP).ok());
  ASSERT_EVENTUALLY(ProcState(pid) == 'T', absl::Seconds(5));
  absl::Time start = absl::Now();
  absl::StatusOr<int> code = (*proc)->Stop(absl::Seconds(10));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 128 + SIGTERM);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(ProcessTest, KillTakesTheWholeProcessGroup) {
  auto proc = Process::Start("/bin/sh", {"-c", "sleep 30 & echo $!; wait"});
  ASSERT_TRUE(proc.ok()) << proc.status();
  ASSERT_EVENTUALLY(absl::EndsWith((*proc)->ReadLog(), "\n"), absl::Seconds(5));
  pid_t grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace((*proc)->ReadLog()),
                               &grandchild));
  EXPECT_FALSE(ProcessGone(grandchild));
  ASSERT_TRUE((*proc)->Kill().ok());
  ASSERT_EVENTUALLY(ProcessGone(grandchild), absl::Seconds(5));
}

TEST(ProcessTest, ChildDiesWhenTheTestProcessDies) {
  // The log lives in our dir: the vanishing parent cannot clean up its own.
  auto dir = TempDir::Create("uptime-orphan-test-");
  ASSERT_TRUE(dir.ok());
  ProcessOptions options;
  options.binary = "sleep";
  options.args = {"30"};
  options.log_path = dir->path() + "/sleep.log";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t middle = ::fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    // Stands in for a crashing test binary: starts a child, then vanishes
    // without running any destructor.
    auto proc = Process::Start(options);
    pid_t pid = proc.ok() ? (*proc)->pid() : 0;
    ssize_t ignored = ::write(fds[1], &pid, sizeof(pid));
    (void)ignored;
    ::_exit(0);
  }
  ::close(fds[1]);
  pid_t orphan = 0;
  ASSERT_EQ(::read(fds[0], &orphan, sizeof(orphan)),
            static_cast<ssize_t>(sizeof(orphan)));
  ::close(fds[0]);
  ::waitpid(middle, nullptr, 0);
  ASSERT_GT(orphan, 0);
  ASSERT_EVENTUALLY(ProcessGone(orphan), absl::Seconds(5));
}

TEST(ProcessTest, RunsAsAnotherUserWhenRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  ProcessOptions options;
  options.binary = "id";
  options.args = {"-un"};
  options.run_as_user = "postgres";
  auto proc = Process::Start(options);
  ASSERT_TRUE(proc.ok()) << proc.status();
  ASSERT_TRUE((*proc)->Wait(absl::Seconds(5)).ok());
  EXPECT_EQ((*proc)->ReadLog(), "postgres\n");
}

TEST(BinaryPathTest, EnvironmentOverridesCompiledDirectory) {
  ::setenv("UPTIME_BINARY_DIR", "/opt/uptime/bin", 1);
  EXPECT_EQ(BinaryPath("uptime-agent"), "/opt/uptime/bin/uptime-agent");
  ::unsetenv("UPTIME_BINARY_DIR");
  EXPECT_TRUE(absl::EndsWith(BinaryPath("uptime-agent"), "/uptime-agent"));
}

// -------------------------------------------------------------- postgres --

std::string QueryOne(PGconn* conn, const char* sql) {
  PGresult* res = PQexec(conn, sql);
  std::string value;
  if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
    value = PQgetvalue(res, 0, 0);
  } else {
    value = absl::StrCat("error: ", PQresultErrorMessage(res));
  }
  PQclear(res);
  return value;
}

bool Exec(PGconn* conn, const char* sql) {
  PGresult* res = PQexec(conn, sql);
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  PQclear(res);
  return ok;
}

TEST(PostgresServerTest, ServesQueriesAndKeepsDataAcrossRestarts) {
  auto pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  const std::string dsn = (*pg)->dsn();
  EXPECT_EQ(dsn, absl::StrCat("host=127.0.0.1 port=", (*pg)->port(),
                              " user=uptime dbname=uptime"));

  PGconn* conn = PQconnectdb(dsn.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  EXPECT_EQ(QueryOne(conn, "SELECT 1"), "1");
  EXPECT_EQ(QueryOne(conn, "SELECT current_database()"), "uptime");
  ASSERT_TRUE(Exec(conn, "CREATE TABLE t (x int); INSERT INTO t VALUES (42)"));

  ASSERT_TRUE((*pg)->Restart().ok());
  // The old session was cut by the restart.
  EXPECT_NE(QueryOne(conn, "SELECT 1"), "1");
  PQfinish(conn);

  conn = PQconnectdb(dsn.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  EXPECT_EQ(QueryOne(conn, "SELECT x FROM t"), "42");
  PQfinish(conn);

  ASSERT_TRUE((*pg)->Stop().ok());
  EXPECT_NE(PQping(dsn.c_str()), PQPING_OK);
  ASSERT_TRUE((*pg)->StartAgain().ok());
  EXPECT_EQ(PQping(dsn.c_str()), PQPING_OK);
}

// ----------------------------------------------------------------- redis --

TEST(RedisServerTest, AnswersAndComesBackOnTheSamePort) {
  auto redis = RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  const int port = (*redis)->port();
  EXPECT_EQ((*redis)->host_port(), absl::StrCat("127.0.0.1:", port));

  redisContext* c = redisConnect("127.0.0.1", port);
  ASSERT_TRUE(c != nullptr && c->err == 0);
  auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(std::string(reply->str, reply->len), "PONG");
  freeReplyObject(reply);
  reply = static_cast<redisReply*>(redisCommand(c, "SET k v"));
  freeReplyObject(reply);
  reply = static_cast<redisReply*>(redisCommand(c, "GET k"));
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(std::string(reply->str, reply->len), "v");
  freeReplyObject(reply);
  redisFree(c);

  ASSERT_TRUE((*redis)->Stop().ok());
  EXPECT_FALSE((*redis)->Ping());
  c = redisConnect("127.0.0.1", port);
  EXPECT_TRUE(c == nullptr || c->err != 0);
  redisFree(c);

  ASSERT_TRUE((*redis)->StartAgain().ok());
  EXPECT_EQ((*redis)->port(), port);
  EXPECT_TRUE((*redis)->Ping());
}

}  // namespace
}  // namespace uptime::testing
