#include "tests/support/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/support/eventually.h"
#include "tests/support/ports.h"

namespace uptime::testing {
namespace {

constexpr absl::Duration kRedisStartTimeout = absl::Seconds(20);
constexpr absl::Duration kRedisStopTimeout = absl::Seconds(10);

}  // namespace

bool RedisPing(int port, absl::Duration timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // Bounded blocking I/O keeps this simple: a readiness probe needs no more.
  timeval tv = absl::ToTimeval(timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool pong = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    static constexpr char kPing[] = "*1\r\n$4\r\nPING\r\n";
    if (::send(fd, kPing, sizeof(kPing) - 1, MSG_NOSIGNAL) ==
        static_cast<ssize_t>(sizeof(kPing) - 1)) {
      std::string reply;
      char buf[64];
      // "+PONG\r\n" may arrive in pieces; stop at the first line end.
      while (!absl::StrContains(reply, "\r\n")) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        reply.append(buf, n);
      }
      pong = absl::StartsWith(reply, "+PONG\r\n");
    }
  }
  ::close(fd);
  return pong;
}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start() {
  absl::StatusOr<TempDir> dir = TempDir::Create("uptime-redis-");
  if (!dir.ok()) return dir.status();
  std::unique_ptr<RedisServer> server(
      new RedisServer(*std::move(dir), PickFreePort()));
  if (absl::Status s = server->StartAgain(); !s.ok()) return s;
  return server;
}

RedisServer::~RedisServer() {
  absl::Status ignored = Stop();  // ~Process kills it if this fails.
  (void)ignored;
}

std::string RedisServer::host_port() const {
  return absl::StrCat("127.0.0.1:", port_);
}

bool RedisServer::Ping() const { return RedisPing(port_); }

std::string RedisServer::ReadLog() const {
  std::ifstream in(dir_.path() + "/redis.log");
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::Status RedisServer::StartAgain() {
  if (process_ != nullptr) return absl::OkStatus();
  ProcessOptions options;
  options.binary = "redis-server";
  options.args = {
      "--port", absl::StrCat(port_), "--bind", "127.0.0.1",   "--save",
      "",       "--appendonly",      "no",     "--daemonize", "no",
      "--dir",  dir_.path()};
  options.log_path = dir_.path() + "/redis.log";
  absl::StatusOr<std::unique_ptr<Process>> proc = Process::Start(options);
  if (!proc.ok()) return proc.status();
  process_ = *std::move(proc);
  bool ready = WaitFor([&] { return !process_->Running() || RedisPing(port_); },
                       kRedisStartTimeout, absl::Milliseconds(5));
  if (!ready || !process_->Running()) {
    process_.reset();
    return absl::UnavailableError(absl::StrCat(
        "redis-server did not start on port ", port_, ":\n", ReadLog()));
  }
  return absl::OkStatus();
}

absl::Status RedisServer::Stop() {
  if (process_ == nullptr) return absl::OkStatus();
  std::unique_ptr<Process> proc = std::move(process_);
  absl::StatusOr<int> code = proc->Stop(kRedisStopTimeout);
  return code.status();
}

}  // namespace uptime::testing
