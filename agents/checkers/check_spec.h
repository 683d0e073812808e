// CheckSpec: an assigned monitor as the check engine holds it, with the
// defaults of the API applied once (interval, timeout, location) so the hot
// path does no decoding.
#ifndef UPTIME_AGENTS_CHECKERS_CHECK_SPEC_H_
#define UPTIME_AGENTS_CHECKERS_CHECK_SPEC_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "uptime/v1/agent.pb.h"
#include "uptime/v1/result.pb.h"

namespace uptime::agent {

// Who runs the checks: stamped on every result.
struct AgentIdentity {
  std::string agent_id;
  std::map<std::string, std::string> labels;
};

// The HTTP part of a monitor, prepared for curl. What nearly every monitor
// sets (URL, keyword) is inline; the rest is in Extras, allocated only when
// a monitor sets any of it: DESIGN §6 allows 1 KiB per monitor in all, and
// five empty strings and two vectors inline would cost ~140 bytes each.
struct HttpCheckSpec {
  struct Extras {
    std::string method = "GET";  // upper case
    std::string body;
    std::string keyword_absent;
    std::vector<std::string> header_lines;  // "Name: value", as curl takes them
    std::vector<std::pair<int32_t, int32_t>> accepted_statuses;  // empty: 200..399
  };

  std::string url;
  std::string keyword;
  std::shared_ptr<const Extras> extras;  // null: every Extras field at its default
  bool follow_redirects = true;
  bool insecure_skip_tls_verify = false;

  const Extras& more() const { return extras ? *extras : DefaultExtras(); }
  const std::string& method() const { return more().method; }
  const std::string& body() const { return more().body; }
  const std::string& keyword_absent() const { return more().keyword_absent; }
  const std::vector<std::string>& header_lines() const { return more().header_lines; }
  const std::vector<std::pair<int32_t, int32_t>>& accepted_statuses() const {
    return more().accepted_statuses;
  }
  static const Extras& DefaultExtras();
};

struct TcpCheckSpec {
  std::string host;
  int32_t port = 0;
};

struct DnsCheckSpec {
  std::string name;
  v1::DnsRecordType record_type = v1::DNS_RECORD_TYPE_A;  // never UNSPECIFIED
  std::string expected_answer;
  std::string resolver;  // HOST[:PORT]; empty: the system's
};

struct GrpcCheckSpec {
  std::string target;
  std::string service;
  bool tls = false;
  bool insecure_skip_tls_verify = false;
};

struct IcmpCheckSpec {
  std::string host;
};

// A monitor type this agent cannot check (yet); its checks report why.
struct UnsupportedCheckSpec {
  std::string type;
};

// Immutable once built, shared (shared_ptr<const>) between the engine's
// monitor table and the checks in flight, so a monitor removed mid-check
// stays valid until its check ends. A compact copy of what the checks need,
// not the Monitor proto (~800 bytes): DESIGN asks <= 1 KiB per monitor.
// 224 bytes with its allocation for an HTTP monitor, plus the id and URL
// when longer than 15 bytes (32 bytes each for ids and URLs of 16-31).
struct CheckSpec {
  std::string id;
  int64_t epoch = 0;
  std::string location;
  // Whole microseconds, not absl::Duration (16 bytes each): with them the
  // spec and shared_ptr's control block take 216 bytes, one allocation of
  // jemalloc's 224-byte class instead of its 256-byte one.
  int64_t interval_us = 0;
  int64_t timeout_us = 0;
  std::variant<UnsupportedCheckSpec, HttpCheckSpec, TcpCheckSpec, DnsCheckSpec, GrpcCheckSpec,
               IcmpCheckSpec>
      target;

  absl::Duration interval() const { return absl::Microseconds(interval_us); }
  absl::Duration timeout() const { return absl::Microseconds(timeout_us); }

  const HttpCheckSpec* http() const { return std::get_if<HttpCheckSpec>(&target); }
  const TcpCheckSpec* tcp() const { return std::get_if<TcpCheckSpec>(&target); }
  const DnsCheckSpec* dns() const { return std::get_if<DnsCheckSpec>(&target); }
  const GrpcCheckSpec* grpc() const { return std::get_if<GrpcCheckSpec>(&target); }
  const IcmpCheckSpec* icmp() const { return std::get_if<IcmpCheckSpec>(&target); }
};
using CheckSpecPtr = std::shared_ptr<const CheckSpec>;

// The monitor's interval (default 60 s).
absl::Duration EffectiveInterval(const v1::Monitor& monitor);
// The monitor's timeout (default min(10 s, interval / 2)), never above the
// interval, so one slow target cannot occupy more than its own slots.
absl::Duration EffectiveTimeout(const v1::Monitor& monitor);
// The agent's value of the monitor's location label (default "region"), or
// the agent id when the agent lacks that label.
std::string LocationFor(const v1::Monitor& monitor, const AgentIdentity& agent);

// Builds the spec of an assigned monitor for `agent`.
CheckSpecPtr MakeCheckSpec(const v1::AssignedMonitor& assigned, const AgentIdentity& agent);

// A result with identity and times filled in; the checker adds the outcome.
v1::CheckResult NewResult(const CheckSpec& spec, const std::string& agent_id, absl::Time planned,
                          absl::Time start);

// Sets the error fields, cutting the message to the API's 1 KiB limit.
void SetFailure(v1::CheckResult* result, v1::ErrorKind kind, std::string message);

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_CHECK_SPEC_H_
