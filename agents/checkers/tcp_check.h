// TCP connect checks on the CheckEngine's loop: success once a connection
// to host:port is established within the monitor's timeout; then it is
// closed at once (FIN, like any client), nothing is sent.
//
// Its own non-blocking socket rather than a curl transfer: curl's
// CONNECT_ONLY pays for what a connect check does not use (non-blocking
// mode by fcntl, TCP_NODELAY, a poll() after epoll said writable, the local
// and peer address looked up again and again, three epoll registrations),
// about 16 system calls per check against 5 here: socket, connect, one epoll
// registration, the SO_ERROR read, close (which also leaves epoll).
//
// The host is an address literal or a name (HostCheck). Each address is
// tried in turn until one connects; the result names the last failure. A
// refused or unreachable connection is ERROR_KIND_CONNECT, no answer in
// time ERROR_KIND_TIMEOUT.
#ifndef UPTIME_AGENTS_CHECKERS_TCP_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_TCP_CHECK_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agents/checkers/host_check.h"

namespace uptime::agent {

class TcpCheck final : public ConnectingCheck {
 public:
  using ConnectingCheck::ConnectingCheck;
  ~TcpCheck() override;

  void Start(LoopIo& io) override;
  void OnFd(LoopIo& io, int fd, uint32_t events) override;

 private:
  void ConnectNext() override;
  void CloseSocket();

  LoopIo* io_ = nullptr;
  absl::Time connect_start_;
  std::string current_;     // the address being connected to, for messages
  std::string last_error_;
  int fd_ = -1;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_TCP_CHECK_H_
