// DNS checks with c-ares, on the CheckEngine's loop: c-ares reports the
// sockets it wants polled through ARES_OPT_SOCK_STATE_CB, the loop polls
// them and hands readiness back with ares_process_fd(), so a DNS check costs
// no thread and no blocking call.
//
// A check queries `name` for its record type (no search domains: monitors
// name what they mean) at the system resolver or the monitor's HOST[:PORT],
// and succeeds when an answer exists and, if `expected_answer` is set, one
// answer equals it (MX answers match as "HOST" or "PREF HOST").
#ifndef UPTIME_AGENTS_DNS_CHECKER_H_
#define UPTIME_AGENTS_DNS_CHECKER_H_

#include <ares.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/loop_check.h"

namespace uptime::agent {

// The answers of type `qtype` in a DNS reply, as text: addresses, host
// names (no trailing dot), TXT strings joined, MX as "PREF HOST".
absl::StatusOr<std::vector<std::string>> ParseDnsAnswers(const unsigned char* reply, int length,
                                                          int qtype);

class DnsCheck final : public LoopCheck {
 public:
  using LoopCheck::LoopCheck;
  ~DnsCheck() override;

  void Start(LoopIo& io) override;
  void OnFd(LoopIo& io, int fd, uint32_t events) override;
  void OnTimer(LoopIo& io, absl::Time now) override;

 private:
  static void OnSockState(void* self, ares_socket_t fd, int readable, int writable);
  static void OnReply(void* self, int status, int timeouts, unsigned char* reply, int length);
  void Rearm();

  LoopIo* io_ = nullptr;
  ares_channel channel_ = nullptr;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_DNS_CHECKER_H_
