#include "agents/checkers/host_check.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/checkers/socket_address.h"

namespace uptime::agent {

void HostCheck::ResolveHost(LoopIo& io, const std::string& host) {
  sockaddr_storage literal{};
  if (ParseAddress(host, &literal)) {
    OnAddresses({literal}, /*looked_up=*/false);
    return;
  }
  resolve_start_ = absl::Now();
  absl::StatusOr<DnsLookup> lookup = io.dns().ResolveHost(
      host, [this, &io, host](int status, std::vector<sockaddr_storage> addresses) {
        OnResolved(host, status, std::move(addresses));
        io.Touch(this);  // the loop settles us once the DNS delivery returns
      });
  if (!lookup.ok()) {
    Fail(v1::ERROR_KIND_INTERNAL, std::string(lookup.status().message()));
    return;
  }
  lookup_ = std::move(*lookup);
}

void HostCheck::OnResolved(const std::string& host, int status,
                           std::vector<sockaddr_storage> addresses) {
  if (done()) return;
  result().set_dns_us(absl::ToInt64Microseconds(absl::Now() - resolve_start_));
  if (status != ARES_SUCCESS) {
    Fail(v1::ERROR_KIND_DNS, absl::StrCat(host, ": ", ares_strerror(status)));
    return;
  }
  std::erase_if(addresses, [](const sockaddr_storage& a) {
    return a.ss_family != AF_INET && a.ss_family != AF_INET6;
  });
  if (addresses.empty()) {
    Fail(v1::ERROR_KIND_DNS, absl::StrCat(host, ": no IPv4 or IPv6 address"));
    return;
  }
  OnAddresses(std::move(addresses), /*looked_up=*/true);
}

void ConnectingCheck::OnAddresses(std::vector<sockaddr_storage> addresses, bool looked_up) {
  addresses_ = std::move(addresses);
  if (looked_up) {
    ConnectSoon();  // delivered while the loop handles a batch of events
  } else {
    ConnectNext();
  }
}

void ConnectingCheck::ConnectSoon() {
  connect_due_ = true;
  SetTimer(absl::Now());
}

void ConnectingCheck::OnTimer(LoopIo& io, absl::Time now) {
  if (connect_due_ && now < deadline()) {
    connect_due_ = false;
    SetTimer(deadline());
    ConnectNext();
    return;
  }
  LoopCheck::OnTimer(io, now);
}

}  // namespace uptime::agent
