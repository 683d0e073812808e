#include "agents/icmp_checker.h"

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace uptime::agent {
namespace {

std::atomic<IcmpSocketKind> g_kind{IcmpSocketKind::kUnknown};
std::atomic<bool> g_allow_ping{true}, g_allow_raw{true};
std::atomic<uint32_t> g_counter{0};

// linux/icmp.h's ICMP_FILTER, without the header (it clashes with glibc's).
constexpr int kIcmpFilter = 1;

uint16_t Checksum(const uint8_t* data, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (length % 2) sum += static_cast<uint32_t>(data[length - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

int OpenPing() {
  if (!g_allow_ping) return -1;
  return socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
}

int OpenRaw() {
  if (!g_allow_raw) return -1;
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd >= 0) {
    // A raw socket sees every ICMP packet of the host: let the kernel drop
    // all but replies and errors, so N checks do not wake N times per ping.
    uint32_t drop = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED));
    setsockopt(fd, SOL_RAW, kIcmpFilter, &drop, sizeof(drop));
  }
  return fd;
}

}  // namespace

void SetIcmpSocketsAllowedForTest(bool ping, bool raw) {
  g_allow_ping = ping;
  g_allow_raw = raw;
  g_kind = IcmpSocketKind::kUnknown;
}

IcmpSocketKind IcmpSocketKindInUse() { return g_kind; }

IcmpCheck::~IcmpCheck() {
  if (fd_ >= 0) {
    io_->Watch(fd_, 0, this);
    close(fd_);
  }
}

void IcmpCheck::Start(LoopIo& io) {
  io_ = &io;
  const std::string& host = spec()->icmp()->host;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  if (inet_pton(AF_INET, host.c_str(), &to.sin_addr) != 1) {
    Fail(v1::ERROR_KIND_DNS, absl::StrCat("ICMP checks take an IPv4 address, not \"", host, "\""));
    return;
  }
  IcmpSocketKind kind = g_kind;
  if (kind != IcmpSocketKind::kRaw && kind != IcmpSocketKind::kNone) {
    fd_ = OpenPing();
    if (fd_ >= 0) kind = IcmpSocketKind::kPing;
  }
  if (fd_ < 0 && kind != IcmpSocketKind::kNone) {
    fd_ = OpenRaw();
    kind = fd_ >= 0 ? IcmpSocketKind::kRaw : IcmpSocketKind::kNone;
  }
  g_kind = kind;
  if (fd_ < 0) {
    Fail(v1::ERROR_KIND_PERMISSION,
         "ICMP not permitted: no ping socket (net.ipv4.ping_group_range) and no raw socket "
         "(CAP_NET_RAW)");
    return;
  }
  raw_ = kind == IcmpSocketKind::kRaw;
  const uint32_t n = g_counter.fetch_add(1);
  // A ping socket's id is its port (the kernel rewrites it); a raw one's is
  // ours to choose and tells our replies from other checks'.
  id_ = static_cast<uint16_t>((getpid() << 8) ^ (n >> 16));
  sequence_ = static_cast<uint16_t>(n);
  uint8_t packet[32] = {};
  packet[0] = ICMP_ECHO;
  packet[4] = static_cast<uint8_t>(id_ >> 8);
  packet[5] = static_cast<uint8_t>(id_);
  packet[6] = static_cast<uint8_t>(sequence_ >> 8);
  packet[7] = static_cast<uint8_t>(sequence_);
  std::memcpy(packet + 8, "uptime-agent-ping", 17);
  const uint16_t sum = Checksum(packet, sizeof(packet));
  std::memcpy(packet + 2, &sum, 2);
  if (sendto(fd_, packet, sizeof(packet), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) < 0) {
    Fail(errno == EPERM || errno == EACCES ? v1::ERROR_KIND_PERMISSION : v1::ERROR_KIND_CONNECT,
         absl::StrCat("ICMP send to ", host, ": ", strerror(errno)));
    return;
  }
  io.Watch(fd_, EPOLLIN, this);
}

void IcmpCheck::OnFd(LoopIo&, int, uint32_t) {
  uint8_t buffer[1500];
  while (!done()) {
    const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
    if (got < 0) return;  // EAGAIN: wait for more (or the timeout)
    const uint8_t* icmp = buffer;
    size_t length = static_cast<size_t>(got);
    if (raw_) {  // raw sockets deliver the IP header too
      const size_t header = static_cast<size_t>(buffer[0] & 0x0f) * 4;
      if (length < header + 8) continue;
      icmp += header;
      length -= header;
    }
    if (length < 8) continue;
    const uint16_t id = static_cast<uint16_t>(icmp[4] << 8 | icmp[5]);
    const uint16_t seq = static_cast<uint16_t>(icmp[6] << 8 | icmp[7]);
    if (icmp[0] == ICMP_ECHOREPLY && seq == sequence_ && (!raw_ || id == id_)) {
      Succeed();
    } else if (raw_ && (icmp[0] == ICMP_DEST_UNREACH || icmp[0] == ICMP_TIME_EXCEEDED) &&
               length >= 8 + 20 + 8) {
      // The error quotes our request: IP header (assume 20 bytes) + ICMP.
      const uint8_t* quoted = icmp + 8 + static_cast<size_t>(icmp[8] & 0x0f) * 4;
      if (quoted + 8 <= icmp + length && quoted[0] == ICMP_ECHO &&
          (quoted[4] << 8 | quoted[5]) == id_ && (quoted[6] << 8 | quoted[7]) == sequence_) {
        Fail(v1::ERROR_KIND_CONNECT, absl::StrCat(spec()->icmp()->host, ": ICMP ",
                                                  icmp[0] == ICMP_DEST_UNREACH ? "unreachable"
                                                                               : "time exceeded"));
      }
    }
  }
}

}  // namespace uptime::agent
