// DNS checks with c-ares, on the CheckEngine's loop, through the loop's
// shared channels (DnsChannels: one per resolver, not one per check), so a
// DNS check costs no thread, no blocking call and no socket of its own.
//
// A check queries `name` for its record type (no search domains: monitors
// name what they mean) at the system resolver or the monitor's HOST[:PORT],
// and succeeds when an answer exists and, if `expected_answer` is set, one
// answer equals it (MX answers match as "HOST" or "PREF HOST").
//
// The monitor's timeout is the check's own deadline, whatever else shares
// the channel: c-ares retransmits within it, a query c-ares gives up on is
// sent again while time is left, and at the deadline the check fails and
// drops its lookup (a late answer is then discarded).
#ifndef UPTIME_AGENTS_CHECKERS_DNS_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_DNS_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/checkers/dns_channels.h"
#include "agents/checkers/loop_check.h"

namespace uptime::agent {

// The answers of type `qtype` in a DNS reply, as text: addresses, host
// names (no trailing dot), TXT strings joined, MX as "PREF HOST".
absl::StatusOr<std::vector<std::string>> ParseDnsAnswers(const unsigned char* reply, int length,
                                                          int qtype);

class DnsCheck final : public LoopCheck {
 public:
  using LoopCheck::LoopCheck;

  void Start(LoopIo& io) override;
  void OnTimer(LoopIo& io, absl::Time now) override;

 private:
  void Send();
  void OnReply(int status, const unsigned char* reply, int length);

  LoopIo* io_ = nullptr;
  DnsLookup lookup_;  // dropped with the check: a late answer finds no one
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_DNS_CHECK_H_
