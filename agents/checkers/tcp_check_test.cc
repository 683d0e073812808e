// TCP checks through the CheckEngine's loop on the loopback address: to
// addresses and to host names, and why a connection failed.
#include "agents/checkers/tcp_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "agents/checkers/checkers_test_fixture.h"
#include "gtest/gtest.h"
#include "tests/support/ports.h"

namespace uptime::agent {
namespace {

// A listening socket on 127.0.0.1 only (not ::1), accepting nothing: the
// kernel completes handshakes into the backlog, which is all TCP checks need.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(CheckersTest, TcpConnectsToAddressesAndNames) {
  Listener listener;
  ASSERT_GT(listener.port(), 0);
  v1::CheckResult r = Check(Tcp("127.0.0.1", listener.port()));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(r.dns_us(), 0) << "an address literal is never looked up";
  EXPECT_GE(r.connect_us(), 0);
  EXPECT_LE(r.connect_us(), r.latency_us());
  // From the resolver, from the hosts file, and a name with an AAAA (::1,
  // where nothing listens) and an A record: the other address is tried.
  for (const char* host : {"v4.test", "localhost", "both.test"}) {
    r = Check(Tcp(host, listener.port()));
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_GT(r.dns_us(), 0) << host;
    EXPECT_LE(r.dns_us(), r.latency_us()) << host << ": the lookup is part of the check";
  }
}

TEST_F(CheckersTest, TcpFailuresSayWhy) {
  const int closed = ::uptime::testing::PickFreePort();
  v1::CheckResult r = Check(Tcp("127.0.0.1", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  EXPECT_NE(r.error_message().find(absl::StrCat("127.0.0.1:", closed)), std::string::npos)
      << r.error_message();
  EXPECT_NE(r.error_message().find("refused"), std::string::npos) << r.error_message();
  r = Check(Tcp("[::1]", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  EXPECT_NE(r.error_message().find(absl::StrCat("[::1]:", closed)), std::string::npos)
      << r.error_message();
  // Every address of the name refused: the last failure is named.
  r = Check(Tcp("both.test", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  r = Check(Tcp("nope.test", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  EXPECT_NE(r.error_message().find("nope.test"), std::string::npos) << r.error_message();
  r = Check(Tcp("127.0.0.1", 0));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_INTERNAL) << r.error_message();
  // The lookup counts against the timeout.
  v1::AssignedMonitor silent = Tcp("silent.test", closed);
  SetTimeout(silent, absl::Milliseconds(300));
  const absl::Time begin = absl::Now();
  r = Check(silent);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(2));
}

}  // namespace
}  // namespace uptime::agent
