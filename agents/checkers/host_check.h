// HostCheck: the part of a LoopCheck that connects to a host given as an
// address or a name (TCP, ICMP): an address literal is used as it is, with
// no lookup; a name is resolved without blocking through the loop's shared
// c-ares channel of the system resolver (hosts file, then DNS; A and AAAA,
// RFC 6724 order). That time is the result's dns_us and counts against the
// timeout. A name that does not resolve to an IPv4 or IPv6 address ends the
// check with ERROR_KIND_DNS.
//
// Thread-safety: loop thread only, like every LoopCheck.
#ifndef UPTIME_AGENTS_CHECKERS_HOST_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_HOST_CHECK_H_

#include <sys/socket.h>

#include <string>
#include <vector>

#include "agents/checkers/dns_channels.h"
#include "agents/checkers/loop_check.h"

namespace uptime::agent {

class HostCheck : public LoopCheck {
 public:
  using LoopCheck::LoopCheck;

 protected:
  // Finds the addresses of `host` and hands them to OnAddresses(), at once
  // for a literal, else once the lookup answers (then from the DNS
  // channels' delivery, i.e. while the loop handles a batch of events).
  void ResolveHost(LoopIo& io, const std::string& host);
  // The IPv4 and IPv6 addresses, never empty, best first. `looked_up`: they
  // come from a lookup (see ResolveHost()), not from the literal.
  virtual void OnAddresses(std::vector<sockaddr_storage> addresses, bool looked_up) = 0;

 private:
  void OnResolved(const std::string& host, int status, std::vector<sockaddr_storage> addresses);

  DnsLookup lookup_;
  absl::Time resolve_start_;
};

// A HostCheck that connects to the host's addresses in turn (TCP, HTTP):
// the next address after a failure, until one connects or none is left.
class ConnectingCheck : public HostCheck {
 public:
  using HostCheck::HostCheck;
  void OnTimer(LoopIo& io, absl::Time now) override;

 protected:
  // Connects to addresses_[next_], then the following ones, until one is
  // in progress or connected; fails the check when none is left.
  virtual void ConnectNext() = 0;
  // ConnectNext() from the loop's timers, outside the batch of epoll events
  // being handled: a socket opened there could get the number of one closed
  // earlier in the batch, and that one's pending event would look like ours.
  void ConnectSoon();

  std::vector<sockaddr_storage> addresses_;
  size_t next_ = 0;

 private:
  void OnAddresses(std::vector<sockaddr_storage> addresses, bool looked_up) final;

  bool connect_due_ = false;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_HOST_CHECK_H_
