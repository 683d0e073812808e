#include "cli/monitor_spec.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/status_macros.h"

namespace uptime::cli {
namespace {

struct GivenFlag {
  absl::string_view flag;
  bool given;
};

// Exactly one check type; returns the flag naming it.
absl::StatusOr<absl::string_view> CheckType(const MonitorFlags& f) {
  const GivenFlag types[] = {{"--url", !f.url.empty()},
                             {"--tcp", !f.tcp.empty()},
                             {"--dns", !f.dns.empty()},
                             {"--grpc", !f.grpc.empty()},
                             {"--icmp", !f.icmp.empty()}};
  std::vector<absl::string_view> given;
  for (const GivenFlag& t : types) {
    if (t.given) given.push_back(t.flag);
  }
  if (given.empty()) {
    return absl::InvalidArgumentError(
        "a check type is required: give one of --url, --tcp, --dns, --grpc or --icmp");
  }
  if (given.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        absl::StrJoin(given, " and "), " cannot be combined: a monitor has one check type"));
  }
  return given.front();
}

// A flag of another check type would be dropped silently; say so instead.
absl::Status RejectForeignFlags(absl::string_view type, const MonitorFlags& f) {
  struct Owned {
    GivenFlag flag;
    absl::string_view owners;  // the check types it applies to
  };
  const Owned owned[] = {
      {{"--method", !f.method.empty()}, "--url"},
      {{"--header", !f.headers.empty()}, "--url"},
      {{"--body", !f.body.empty()}, "--url"},
      {{"--expect-status", !f.expect_status.empty()}, "--url"},
      {{"--keyword", !f.keyword.empty()}, "--url"},
      {{"--keyword-absent", !f.keyword_absent.empty()}, "--url"},
      {{"--no-follow-redirects", f.no_follow_redirects}, "--url"},
      {{"--insecure", f.insecure}, "--url or --grpc"},
      {{"--record-type", !f.record_type.empty()}, "--dns"},
      {{"--expect", !f.expect.empty()}, "--dns"},
      {{"--resolver", !f.resolver.empty()}, "--dns"},
      {{"--grpc-service", !f.grpc_service.empty()}, "--grpc"},
      {{"--grpc-tls", f.grpc_tls}, "--grpc"},
  };
  for (const Owned& o : owned) {
    const bool allowed = o.owners == type || absl::EndsWith(o.owners, absl::StrCat(" ", type)) ||
                         absl::StartsWith(o.owners, absl::StrCat(type, " "));
    if (o.flag.given && !allowed) {
      return absl::InvalidArgumentError(absl::StrCat(o.flag.flag, " applies only to ", o.owners,
                                                     " checks, not ", type));
    }
  }
  return absl::OkStatus();
}

absl::Status SetHttp(const MonitorFlags& f, v1::HttpSpec* http) {
  http->set_url(f.url);
  http->set_method(f.method);
  for (const std::string& text : f.headers) {
    ASSIGN_OR_RETURN(*http->add_headers(), ParseHeader("--header", text));
  }
  http->set_body(f.body);
  for (const std::string& text : f.expect_status) {
    ASSIGN_OR_RETURN(std::vector<v1::StatusRange> ranges,
                     ParseStatusRanges("--expect-status", text));
    for (v1::StatusRange& range : ranges) *http->add_accepted_statuses() = std::move(range);
  }
  http->set_keyword(f.keyword);
  http->set_keyword_absent(f.keyword_absent);
  // Unset means "follow" on the server; only the opt-out is sent.
  if (f.no_follow_redirects) http->set_follow_redirects(false);
  http->set_insecure_skip_tls_verify(f.insecure);
  return absl::OkStatus();
}

absl::Status SetSpec(absl::string_view type, const MonitorFlags& f, v1::Monitor* m) {
  if (type == "--url") return SetHttp(f, m->mutable_http());
  if (type == "--tcp") {
    ASSIGN_OR_RETURN(HostPort hp, ParseHostPort("--tcp", f.tcp));
    m->mutable_tcp()->set_host(hp.host);
    m->mutable_tcp()->set_port(hp.port);
  } else if (type == "--dns") {
    v1::DnsSpec* dns = m->mutable_dns();
    dns->set_name(f.dns);
    if (!f.record_type.empty()) {
      ASSIGN_OR_RETURN(v1::DnsRecordType record_type, ParseRecordType("--record-type", f.record_type));
      dns->set_record_type(record_type);
    }
    dns->set_expected_answer(f.expect);
    dns->set_resolver(f.resolver);
  } else if (type == "--grpc") {
    v1::GrpcSpec* grpc = m->mutable_grpc();
    grpc->set_target(f.grpc);
    grpc->set_service(f.grpc_service);
    grpc->set_tls(f.grpc_tls);
    grpc->set_insecure_skip_tls_verify(f.insecure);
  } else {
    m->mutable_icmp()->set_host(f.icmp);
  }
  return absl::OkStatus();
}

absl::Status SetDuration(absl::string_view flag, const std::string& text,
                         google::protobuf::Duration* out) {
  if (text.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(*out, ParseDurationFlag(flag, text));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Monitor> BuildMonitor(const MonitorFlags& f) {
  v1::Monitor m;
  m.set_name(f.name);
  for (const std::string& text : f.labels) {
    ASSIGN_OR_RETURN(auto labels, ParseLabels("--label", text));
    for (auto& [key, value] : labels) (*m.mutable_labels())[key] = value;
  }
  ASSIGN_OR_RETURN(absl::string_view type, CheckType(f));
  RETURN_IF_ERROR(RejectForeignFlags(type, f));
  RETURN_IF_ERROR(SetSpec(type, f, &m));
  if (!f.interval.empty()) RETURN_IF_ERROR(SetDuration("--interval", f.interval, m.mutable_interval()));
  if (!f.timeout.empty()) RETURN_IF_ERROR(SetDuration("--timeout", f.timeout, m.mutable_timeout()));
  if (!f.renotify_interval.empty()) {
    RETURN_IF_ERROR(
        SetDuration("--renotify-interval", f.renotify_interval, m.mutable_renotify_interval()));
  }
  m.set_failure_threshold(f.failure_threshold);
  m.set_recovery_threshold(f.recovery_threshold);
  m.set_tls_expiry_warning_days(f.tls_expiry_warning_days);
  for (const std::string& id : f.channels) m.add_channel_ids(id);
  if (!f.locations.empty() || !f.location_label.empty() || f.location_count != 0 ||
      f.quorum != 0) {
    v1::LocationPolicy* policy = m.mutable_locations();
    policy->set_selector(f.locations);
    policy->set_location_label(f.location_label);
    policy->set_count(f.location_count);
    policy->set_quorum(f.quorum);
  }
  return m;
}

absl::StatusOr<google::protobuf::Duration> ParseDurationFlag(absl::string_view flag,
                                                             absl::string_view text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": expected a duration such as 30s, 1m or 500ms, got '", text, "'"));
  }
  google::protobuf::Duration proto;
  // IDivDuration truncates toward zero, so seconds and nanos share a sign as
  // google.protobuf.Duration requires.
  proto.set_seconds(absl::IDivDuration(d, absl::Seconds(1), &d));
  proto.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return proto;
}

absl::StatusOr<std::vector<v1::StatusRange>> ParseStatusRanges(absl::string_view flag,
                                                               absl::string_view text) {
  std::vector<v1::StatusRange> ranges;
  for (absl::string_view term : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    term = absl::StripAsciiWhitespace(term);
    const auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, ": expected a status or range such as 200, 200-299 or 2xx, got '", term, "'"));
    };
    int min = 0, max = 0;
    if (term.size() == 3 && absl::AsciiStrToLower(term.substr(1)) == "xx") {
      if (!absl::SimpleAtoi(term.substr(0, 1), &min)) return bad();
      min *= 100;
      max = min + 99;
    } else if (size_t dash = term.find('-'); dash != absl::string_view::npos) {
      if (!absl::SimpleAtoi(term.substr(0, dash), &min) ||
          !absl::SimpleAtoi(term.substr(dash + 1), &max)) {
        return bad();
      }
    } else {
      if (!absl::SimpleAtoi(term, &min)) return bad();
      max = min;
    }
    v1::StatusRange range;
    range.set_min(min);
    range.set_max(max);
    ranges.push_back(std::move(range));
  }
  if (ranges.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": empty status range"));
  }
  return ranges;
}

absl::StatusOr<v1::HttpHeader> ParseHeader(absl::string_view flag, absl::string_view text) {
  const size_t colon = text.find(':');
  absl::string_view name =
      absl::StripAsciiWhitespace(text.substr(0, std::min(colon, text.size())));
  if (colon == absl::string_view::npos || name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected 'Name: value', got '", text, "'"));
  }
  v1::HttpHeader header;
  header.set_name(std::string(name));
  header.set_value(std::string(absl::StripAsciiWhitespace(text.substr(colon + 1))));
  return header;
}

absl::StatusOr<v1::DnsRecordType> ParseRecordType(absl::string_view flag,
                                                  absl::string_view text) {
  v1::DnsRecordType type;
  const std::string name = absl::StrCat("DNS_RECORD_TYPE_", absl::AsciiStrToUpper(text));
  if (text.empty() || absl::AsciiStrToUpper(text) == "UNSPECIFIED" ||
      !v1::DnsRecordType_Parse(name, &type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": expected one of A, AAAA, CNAME, MX, TXT, NS, got '", text, "'"));
  }
  return type;
}

}  // namespace uptime::cli
