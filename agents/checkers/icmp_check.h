// ICMP echo checks on the CheckEngine's loop: one echo request (ICMP for
// IPv4, ICMPv6 for IPv6), success on the matching echo reply within the
// monitor's timeout.
//
// The host is an IPv4 or IPv6 address ("::1" or "[::1]") or a host name. A
// name is resolved first, without blocking, through the loop's shared c-ares
// channel of the system resolver (hosts file, then DNS; A and AAAA, the first
// address in RFC 6724 order is pinged); that time is the result's dns_us and
// counts against the timeout. A name that does not resolve is an
// ERROR_KIND_DNS result.
//
// Sockets, in order: an unprivileged ping socket (SOCK_DGRAM with
// IPPROTO_ICMP or IPPROTO_ICMPV6; needs net.ipv4.ping_group_range, which
// governs both families, to include our group), else a raw socket (root or
// CAP_NET_RAW), else an ERROR_KIND_PERMISSION result saying so. The first
// kind that works is remembered per address family for the process, so a
// pod without the permission does not retry two failing syscalls per check.
#ifndef UPTIME_AGENTS_CHECKERS_ICMP_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_ICMP_CHECK_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "agents/checkers/host_check.h"

namespace uptime::agent {

enum class IcmpSocketKind { kUnknown, kPing, kRaw, kNone };

// Tests: pretend only some socket kinds are allowed (both true: real probing).
void SetIcmpSocketsAllowedForTest(bool ping, bool raw);
// The kind the process found to work for `family` (AF_INET or AF_INET6;
// kUnknown before the first check of that family).
IcmpSocketKind IcmpSocketKindInUse(int family = AF_INET);

class IcmpCheck final : public HostCheck {
 public:
  using HostCheck::HostCheck;
  ~IcmpCheck() override;

  void Start(LoopIo& io) override;
  void OnFd(LoopIo& io, int fd, uint32_t events) override;

 private:
  // Pings the first address.
  void OnAddresses(std::vector<sockaddr_storage> addresses, bool looked_up) override;
  // Opens the socket and sends the echo request to `to`.
  void Send(const sockaddr_storage& to);
  // Handles one received ICMP(v6) message (without IP header).
  void OnMessage(const uint8_t* icmp, size_t length);

  LoopIo* io_ = nullptr;
  std::string address_;  // what is pinged, for messages
  int family_ = AF_INET;
  int fd_ = -1;
  bool raw_ = false;
  uint16_t id_ = 0;
  uint16_t sequence_ = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_ICMP_CHECK_H_
