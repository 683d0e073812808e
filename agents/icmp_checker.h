// ICMP echo checks on the CheckEngine's loop: one echo request, success on
// the matching echo reply within the monitor's timeout.
//
// Sockets, in order: an unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP;
// needs net.ipv4.ping_group_range to include our group), else a raw socket
// (root or CAP_NET_RAW), else an ERROR_KIND_PERMISSION result saying so.
// The first kind that works is remembered for the process, so a pod without
// the permission does not retry two failing syscalls per check.
// IPv4 addresses only (see DESIGN: names would need the c-ares path).
#ifndef UPTIME_AGENTS_ICMP_CHECKER_H_
#define UPTIME_AGENTS_ICMP_CHECKER_H_

#include <cstdint>

#include "agents/loop_check.h"

namespace uptime::agent {

enum class IcmpSocketKind { kUnknown, kPing, kRaw, kNone };

// Tests: pretend only some socket kinds are allowed (both true: real probing).
void SetIcmpSocketsAllowedForTest(bool ping, bool raw);
// The kind the process found to work (kUnknown before the first check).
IcmpSocketKind IcmpSocketKindInUse();

class IcmpCheck final : public LoopCheck {
 public:
  using LoopCheck::LoopCheck;
  ~IcmpCheck() override;

  void Start(LoopIo& io) override;
  void OnFd(LoopIo& io, int fd, uint32_t events) override;

 private:
  LoopIo* io_ = nullptr;
  int fd_ = -1;
  bool raw_ = false;
  uint16_t id_ = 0;
  uint16_t sequence_ = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_ICMP_CHECKER_H_
