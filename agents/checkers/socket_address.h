// Address literals for the checks that open their own sockets (TCP, ICMP):
// parsed without any lookup, so a check of "192.0.2.1" or "[::1]" never
// touches a resolver, a file or a thread.
#ifndef UPTIME_AGENTS_CHECKERS_SOCKET_ADDRESS_H_
#define UPTIME_AGENTS_CHECKERS_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace uptime::agent {

// An address literal ("192.0.2.1", "::1", "[::1]", "fe80::1%eth0") into
// `out` with port 0; false for host names (and anything else).
bool ParseAddress(absl::string_view host, sockaddr_storage* out);

// Sets the port of an AF_INET or AF_INET6 address.
void SetPort(sockaddr_storage* address, uint16_t port);

// The length connect()/sendto() want for `address`'s family.
socklen_t AddressLength(const sockaddr_storage& address);

// "192.0.2.1" or "::1" (no port, no brackets); "?" if not an IP address.
std::string AddressText(const sockaddr_storage& address);

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_SOCKET_ADDRESS_H_
