// Building a v1::Monitor from flag-shaped text, kept apart from CLI11 so the
// same code serves `uptimectl monitors add` today and `uptimectl apply -f`
// later.
//
// Only what is locally, obviously wrong is rejected here: no check type or
// two of them, a flag that belongs to another check type, text that does not
// parse (a duration, a status range, a header, HOST:PORT). Ranges and limits
// (interval 1s..24h, status 100..599, header sizes) are the server's to
// check, so the rules live in one place. Errors are INVALID_ARGUMENT and name
// the flag.
//
// Design note for `apply -f` (not built yet): the natural document format is
// the protobuf JSON mapping of v1::Monitor written as YAML, i.e. exactly what
// `monitors get ID -o yaml` prints, read with a YAML->JSON walk (the inverse
// of JsonToYaml in output.h) and JsonStringToMessage; that round-trips every
// field. A terser flag-shaped document (`url:`, `expect-status: [200-299]`,
// `header: ["K: V"]`) can fill MonitorFlags key by key and call BuildMonitor,
// reusing these parsers. Matching by name, then CreateMonitor or
// UpdateMonitor with a field mask, belongs to that command, not here.
//
// Example:
//   MonitorFlags flags;
//   flags.name = "api";
//   flags.url = "https://example.com/health";
//   flags.interval = "30s";
//   ASSIGN_OR_RETURN(v1::Monitor monitor, BuildMonitor(flags));
#ifndef UPTIME_CLI_MONITOR_SPEC_H_
#define UPTIME_CLI_MONITOR_SPEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/duration.pb.h"
#include "uptime/v1/monitor.pb.h"

namespace uptime::cli {

// The values of `monitors add` flags, as typed. Empty strings and zeros mean
// "not given": the server applies its documented defaults.
struct MonitorFlags {
  std::string name;
  std::vector<std::string> labels;  // --label k=v (also k=v,k2=v2), repeatable

  // Check type: exactly one of these.
  std::string url;   // --url: HTTP(S)
  std::string tcp;   // --tcp HOST:PORT
  std::string dns;   // --dns NAME
  std::string grpc;  // --grpc HOST:PORT (grpc.health.v1)
  std::string icmp;  // --icmp HOST

  // HTTP only.
  std::string method;
  std::vector<std::string> headers;        // --header 'K: V', repeatable
  std::string body;
  std::vector<std::string> expect_status;  // --expect-status 200-299 / 301 / 2xx
  std::string keyword;
  std::string keyword_absent;
  bool no_follow_redirects = false;
  bool insecure = false;  // HTTP and gRPC: skip TLS verification

  // DNS only.
  std::string record_type;  // A, AAAA, CNAME, MX, TXT, NS
  std::string expect;       // expected answer
  std::string resolver;     // HOST[:PORT]

  // gRPC only.
  std::string grpc_service;
  bool grpc_tls = false;

  // Schedule and alerting.
  std::string interval;           // "30s", "1m", "500ms"
  std::string timeout;
  std::string renotify_interval;
  int failure_threshold = 0;
  int recovery_threshold = 0;
  int tls_expiry_warning_days = 0;
  std::vector<std::string> channels;  // --channel ID, repeatable

  // Locations.
  std::string locations;  // agent label selector
  std::string location_label;
  int location_count = 0;
  int quorum = 0;
};

// The monitor `flags` describe (no id: the server assigns it).
absl::StatusOr<v1::Monitor> BuildMonitor(const MonitorFlags& flags);

// "30s", "1m30s", "500ms" (absl::ParseDuration); finite only.
absl::StatusOr<google::protobuf::Duration> ParseDurationFlag(absl::string_view flag,
                                                             absl::string_view text);

// "200-299", "301", "2xx", or several of them comma-separated.
absl::StatusOr<std::vector<v1::StatusRange>> ParseStatusRanges(absl::string_view flag,
                                                               absl::string_view text);

// "Name: value" (the value may be empty; spaces around both are dropped).
absl::StatusOr<v1::HttpHeader> ParseHeader(absl::string_view flag, absl::string_view text);

// A, AAAA, CNAME, MX, TXT or NS, any case.
absl::StatusOr<v1::DnsRecordType> ParseRecordType(absl::string_view flag,
                                                  absl::string_view text);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_MONITOR_SPEC_H_
