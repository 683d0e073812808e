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

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_HOST_CHECK_H_
