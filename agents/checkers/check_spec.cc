#include "agents/checkers/check_spec.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/utf8.h"

namespace uptime::agent {
namespace {

// proto3 strings must be UTF-8 or the coordinator fails to parse the whole
// batch; messages can quote server bytes, so invalid bytes become '?'.
std::string SanitizeUtf8(std::string s, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes));
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (out.size() + std::max<size_t>(n, 1) > max_bytes) break;
    if (n == 0) {
      out.push_back('?');
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace

const HttpCheckSpec::Extras& HttpCheckSpec::DefaultExtras() {
  static const Extras* const defaults = new Extras();
  return *defaults;
}

absl::Duration EffectiveInterval(const v1::Monitor& monitor) {
  absl::Duration interval = FromProto(monitor.interval());
  return interval > absl::ZeroDuration() ? interval : absl::Seconds(60);
}

absl::Duration EffectiveTimeout(const v1::Monitor& monitor) {
  const absl::Duration interval = EffectiveInterval(monitor);
  absl::Duration timeout = FromProto(monitor.timeout());
  if (timeout <= absl::ZeroDuration()) timeout = std::min(absl::Seconds(10), interval / 2);
  return std::clamp(timeout, absl::Milliseconds(1), interval);
}

std::string LocationFor(const v1::Monitor& monitor, const AgentIdentity& agent) {
  const std::string& label =
      monitor.locations().location_label().empty() ? std::string("region")
                                                   : monitor.locations().location_label();
  auto it = agent.labels.find(label);
  return it != agent.labels.end() ? it->second : agent.agent_id;
}

namespace {

HttpCheckSpec MakeHttp(const v1::HttpSpec& http) {
  HttpCheckSpec h;
  h.url = http.url();
  h.keyword = http.keyword();
  h.follow_redirects = !http.has_follow_redirects() || http.follow_redirects();
  h.insecure_skip_tls_verify = http.insecure_skip_tls_verify();
  HttpCheckSpec::Extras x;
  if (!http.method().empty()) x.method = absl::AsciiStrToUpper(http.method());
  x.body = http.body();
  x.keyword_absent = http.keyword_absent();
  bool has_expect = false;
  for (const v1::HttpHeader& header : http.headers()) {
    has_expect |= absl::EqualsIgnoreCase(header.name(), "Expect");
    // "Name;" is curl's spelling of a header with an empty value.
    x.header_lines.push_back(header.value().empty()
                                 ? absl::StrCat(header.name(), ";")
                                 : absl::StrCat(header.name(), ": ", header.value()));
  }
  // Without this curl waits up to 1 s for "100 Continue" on larger bodies.
  if (!has_expect && !x.body.empty()) x.header_lines.push_back("Expect:");
  for (const v1::StatusRange& range : http.accepted_statuses()) {
    x.accepted_statuses.emplace_back(range.min(), range.max() == 0 ? range.min() : range.max());
  }
  const HttpCheckSpec::Extras& d = HttpCheckSpec::DefaultExtras();
  if (x.method != d.method || !x.body.empty() || !x.keyword_absent.empty() ||
      !x.header_lines.empty() || !x.accepted_statuses.empty()) {
    h.extras = std::make_shared<const HttpCheckSpec::Extras>(std::move(x));
  }
  return h;
}

}  // namespace

// See CheckSpec: with make_shared's control block (16 bytes) it must fit
// jemalloc's 224-byte class.
static_assert(sizeof(CheckSpec) + 16 <= 224, "CheckSpec outgrew its allocation class");

CheckSpecPtr MakeCheckSpec(const v1::AssignedMonitor& assigned, const AgentIdentity& agent) {
  const v1::Monitor& m = assigned.monitor();
  auto spec = std::make_shared<CheckSpec>();
  spec->id = m.id();
  spec->epoch = assigned.epoch();
  spec->location = LocationFor(m, agent);
  spec->interval_us = absl::ToInt64Microseconds(EffectiveInterval(m));
  spec->timeout_us = absl::ToInt64Microseconds(EffectiveTimeout(m));
  switch (m.spec_case()) {
    case v1::Monitor::kHttp:
      spec->target = MakeHttp(m.http());
      break;
    case v1::Monitor::kTcp:
      spec->target = TcpCheckSpec{m.tcp().host(), m.tcp().port()};
      break;
    case v1::Monitor::kDns: {
      const v1::DnsSpec& d = m.dns();
      spec->target = DnsCheckSpec{d.name(),
                                  d.record_type() == v1::DNS_RECORD_TYPE_UNSPECIFIED
                                      ? v1::DNS_RECORD_TYPE_A
                                      : d.record_type(),
                                  d.expected_answer(), d.resolver()};
      break;
    }
    case v1::Monitor::kGrpc:
      spec->target = GrpcCheckSpec{m.grpc().target(), m.grpc().service(), m.grpc().tls(),
                                   m.grpc().insecure_skip_tls_verify()};
      break;
    case v1::Monitor::kIcmp:
      spec->target = IcmpCheckSpec{m.icmp().host()};
      break;
    default: {
      // oneof case values are the field numbers.
      const auto* field = v1::Monitor::GetDescriptor()->FindFieldByNumber(m.spec_case());
      spec->target = UnsupportedCheckSpec{field != nullptr ? field->name() : "untyped"};
    }
  }
  return spec;
}

v1::CheckResult NewResult(const CheckSpec& spec, const std::string& agent_id, absl::Time planned,
                          absl::Time start) {
  v1::CheckResult r;
  r.set_monitor_id(spec.id);
  r.set_agent_id(agent_id);
  r.set_location(spec.location);
  r.set_epoch(spec.epoch);
  r.set_start_time_us(absl::ToUnixMicros(start));
  r.set_scheduled_time_us(absl::ToUnixMicros(planned));
  return r;
}

void SetFailure(v1::CheckResult* result, v1::ErrorKind kind, std::string message) {
  constexpr size_t kMaxMessage = 1024;
  result->set_success(false);
  result->set_error_kind(kind);
  result->set_error_message(SanitizeUtf8(std::move(message), kMaxMessage));
}

}  // namespace uptime::agent
