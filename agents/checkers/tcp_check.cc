#include "agents/checkers/tcp_check.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/checkers/socket_address.h"

namespace uptime::agent {

TcpCheck::~TcpCheck() { CloseSocket(); }

void TcpCheck::CloseSocket() {
  if (fd_ < 0) return;
  // close() takes the socket out of epoll: no EPOLL_CTL_DEL needed.
  io_->Closing(fd_);
  close(fd_);
  fd_ = -1;
}

void TcpCheck::Start(LoopIo& io) {
  io_ = &io;
  const TcpCheckSpec& tcp = *spec()->tcp();
  if (tcp.host.empty() || tcp.port < 1 || tcp.port > 65535) {
    Fail(v1::ERROR_KIND_INTERNAL, "tcp: host and a port 1..65535 are required");
    return;
  }
  HostCheck::ResolveHost(io, tcp.host);
}

void TcpCheck::ConnectNext() {
  const uint16_t port = static_cast<uint16_t>(spec()->tcp()->port);
  while (next_ < addresses_.size()) {
    sockaddr_storage to = addresses_[next_++];
    SetPort(&to, port);
    current_ = absl::StrCat(
        to.ss_family == AF_INET6 ? absl::StrCat("[", AddressText(to), "]") : AddressText(to), ":",
        port);
    connect_start_ = absl::Now();
    fd_ = socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      // Out of descriptors or the family is off: the agent's problem.
      Fail(v1::ERROR_KIND_INTERNAL, absl::StrCat("socket: ", strerror(errno)));
      return;
    }
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&to), AddressLength(to)) == 0) {
      result().set_connect_us(absl::ToInt64Microseconds(absl::Now() - connect_start_));
      CloseSocket();
      Succeed();
      return;
    }
    if (errno == EINPROGRESS) {
      io_->Watch(fd_, EPOLLOUT, this);  // OnFd() tells how it ended
      return;
    }
    last_error_ = absl::StrCat("connect to ", current_, ": ", strerror(errno));
    CloseSocket();
  }
  Fail(v1::ERROR_KIND_CONNECT, last_error_);
}

void TcpCheck::OnFd(LoopIo&, int, uint32_t) {
  if (done() || fd_ < 0) return;
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error == 0) {
    result().set_connect_us(absl::ToInt64Microseconds(absl::Now() - connect_start_));
    CloseSocket();
    Succeed();
    return;
  }
  last_error_ = absl::StrCat("connect to ", current_, ": ", strerror(error));
  CloseSocket();
  if (next_ < addresses_.size()) {
    ConnectSoon();
  } else {
    Fail(v1::ERROR_KIND_CONNECT, last_error_);
  }
}

}  // namespace uptime::agent
