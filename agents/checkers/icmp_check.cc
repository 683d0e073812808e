#include "agents/checkers/icmp_check.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/checkers/socket_address.h"

namespace uptime::agent {
namespace {

std::atomic<IcmpSocketKind> g_kind4{IcmpSocketKind::kUnknown};
std::atomic<IcmpSocketKind> g_kind6{IcmpSocketKind::kUnknown};
std::atomic<bool> g_allow_ping{true}, g_allow_raw{true};
std::atomic<uint32_t> g_counter{0};

// linux/icmp.h's ICMP_FILTER, without the header (it clashes with glibc's).
constexpr int kIcmpFilter = 1;
constexpr size_t kIpv6HeaderSize = 40;

std::atomic<IcmpSocketKind>& KindFor(int family) {
  return family == AF_INET6 ? g_kind6 : g_kind4;
}

int Protocol(int family) {
  return family == AF_INET6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
}

uint16_t Checksum(const uint8_t* data, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (length % 2) sum += static_cast<uint32_t>(data[length - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

int OpenPing(int family) {
  if (!g_allow_ping) return -1;
  return socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, Protocol(family));
}

int OpenRaw(int family) {
  if (!g_allow_raw) return -1;
  int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, Protocol(family));
  if (fd < 0) return fd;
  // A raw socket sees every ICMP packet of the host: let the kernel drop
  // all but replies and errors, so N checks do not wake N times per ping.
  if (family == AF_INET6) {
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
    ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
  } else {
    uint32_t drop = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED));
    setsockopt(fd, SOL_RAW, kIcmpFilter, &drop, sizeof(drop));
  }
  return fd;
}

}  // namespace

void SetIcmpSocketsAllowedForTest(bool ping, bool raw) {
  g_allow_ping = ping;
  g_allow_raw = raw;
  g_kind4 = IcmpSocketKind::kUnknown;
  g_kind6 = IcmpSocketKind::kUnknown;
}

IcmpSocketKind IcmpSocketKindInUse(int family) { return KindFor(family); }

IcmpCheck::~IcmpCheck() {
  if (fd_ >= 0) {
    io_->Closing(fd_);  // close() takes it out of epoll
    close(fd_);
  }
}

void IcmpCheck::Start(LoopIo& io) {
  io_ = &io;
  HostCheck::ResolveHost(io, spec()->icmp()->host);
}

void IcmpCheck::OnAddresses(std::vector<sockaddr_storage> addresses, bool) {
  Send(addresses.front());
}

void IcmpCheck::Send(const sockaddr_storage& to) {
  family_ = to.ss_family;
  address_ = AddressText(to);
  std::atomic<IcmpSocketKind>& remembered = KindFor(family_);
  IcmpSocketKind kind = remembered;
  if (kind != IcmpSocketKind::kRaw && kind != IcmpSocketKind::kNone) {
    fd_ = OpenPing(family_);
    if (fd_ >= 0) kind = IcmpSocketKind::kPing;
  }
  if (fd_ < 0 && kind != IcmpSocketKind::kNone) {
    fd_ = OpenRaw(family_);
    kind = fd_ >= 0 ? IcmpSocketKind::kRaw : IcmpSocketKind::kNone;
  }
  remembered = kind;
  if (fd_ < 0) {
    Fail(v1::ERROR_KIND_PERMISSION,
         absl::StrCat("ICMP", family_ == AF_INET6 ? "v6" : "",
                      " not permitted: no ping socket (net.ipv4.ping_group_range) and no raw "
                      "socket (CAP_NET_RAW)"));
    return;
  }
  raw_ = kind == IcmpSocketKind::kRaw;
  const uint32_t n = g_counter.fetch_add(1);
  // A ping socket's id is its port (the kernel rewrites it); a raw one's is
  // ours to choose and tells our replies from other checks'.
  id_ = static_cast<uint16_t>((getpid() << 8) ^ (n >> 16));
  sequence_ = static_cast<uint16_t>(n);
  uint8_t packet[32] = {};
  packet[0] = family_ == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
  packet[4] = static_cast<uint8_t>(id_ >> 8);
  packet[5] = static_cast<uint8_t>(id_);
  packet[6] = static_cast<uint8_t>(sequence_ >> 8);
  packet[7] = static_cast<uint8_t>(sequence_);
  std::memcpy(packet + 8, "uptime-agent-ping", 17);
  if (family_ == AF_INET) {
    // ICMPv6's checksum covers a pseudo-header with the source address, so
    // the kernel fills it in; ICMPv4's is ours on a raw socket.
    const uint16_t sum = Checksum(packet, sizeof(packet));
    std::memcpy(packet + 2, &sum, 2);
  }
  if (sendto(fd_, packet, sizeof(packet), 0, reinterpret_cast<const sockaddr*>(&to),
             AddressLength(to)) <
      0) {
    Fail(errno == EPERM || errno == EACCES ? v1::ERROR_KIND_PERMISSION : v1::ERROR_KIND_CONNECT,
         absl::StrCat("ICMP send to ", address_, ": ", strerror(errno)));
    return;
  }
  io_->Watch(fd_, EPOLLIN, this);
}

void IcmpCheck::OnFd(LoopIo&, int, uint32_t) {
  uint8_t buffer[1500];
  while (!done()) {
    const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
    if (got < 0) return;  // EAGAIN: wait for more (or the timeout)
    const uint8_t* icmp = buffer;
    size_t length = static_cast<size_t>(got);
    if (raw_ && family_ == AF_INET) {  // raw IPv4 sockets deliver the IP header too
      const size_t header = static_cast<size_t>(buffer[0] & 0x0f) * 4;
      if (length < header + 8) continue;
      icmp += header;
      length -= header;
    }
    if (length >= 8) OnMessage(icmp, length);
  }
}

void IcmpCheck::OnMessage(const uint8_t* icmp, size_t length) {
  const bool v6 = family_ == AF_INET6;
  const uint16_t id = static_cast<uint16_t>(icmp[4] << 8 | icmp[5]);
  const uint16_t seq = static_cast<uint16_t>(icmp[6] << 8 | icmp[7]);
  if (icmp[0] == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) {
    if (seq == sequence_ && (!raw_ || id == id_)) Succeed();
    return;
  }
  // Errors reach raw sockets only (ping sockets queue them as socket
  // errors, and the check then simply times out).
  const bool unreachable = icmp[0] == (v6 ? ICMP6_DST_UNREACH : ICMP_DEST_UNREACH);
  const bool expired = icmp[0] == (v6 ? ICMP6_TIME_EXCEEDED : ICMP_TIME_EXCEEDED);
  if (!raw_ || !(unreachable || expired)) return;
  // The error quotes our request: its IP header (IPv6: 40 bytes, assuming
  // no extension headers), then the echo request's first 8 bytes.
  const size_t ip_header = v6 ? kIpv6HeaderSize
                              : (length > 8 ? static_cast<size_t>(icmp[8] & 0x0f) * 4 : 0);
  if (ip_header == 0 || length < 8 + ip_header + 8) return;
  const uint8_t* quoted = icmp + 8 + ip_header;
  if (quoted[0] == (v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO) &&
      (quoted[4] << 8 | quoted[5]) == id_ && (quoted[6] << 8 | quoted[7]) == sequence_) {
    Fail(v1::ERROR_KIND_CONNECT,
         absl::StrCat(spec()->icmp()->host, ": ICMP", v6 ? "v6 " : " ",
                      unreachable ? "unreachable" : "time exceeded"));
  }
}

}  // namespace uptime::agent
