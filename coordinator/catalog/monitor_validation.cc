#include "coordinator/catalog/monitor_validation.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/field_error.h"
#include "common/labels.h"
#include "common/proto_time.h"
#include "common/status_macros.h"

namespace uptime::coordinator {
namespace {

bool HasControlChars(absl::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_iscntrl(static_cast<unsigned char>(c)); });
}

bool IsToken(absl::string_view s) {
  static constexpr absl::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != absl::string_view::npos;
  });
}

// A host name or an IP literal: no spaces, slashes or control characters.
absl::Status ValidateHost(const std::string& field, absl::string_view host) {
  if (host.empty()) return InvalidField(field, "is required");
  if (host.size() > 253) return InvalidField(field, "is longer than 253 characters");
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
        c != ':') {
      return InvalidField(field, absl::StrCat("'", host, "' is not a valid host name or IP address"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDuration(const std::string& field, const google::protobuf::Duration& d) {
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() >= 1'000'000'000) {
    return InvalidField(field, "must be a non-negative duration");
  }
  return absl::OkStatus();
}

absl::Status ValidateUrl(const std::string& field, absl::string_view url) {
  if (url.empty()) return InvalidField(field, "is required");
  if (url.size() > kMaxUrlBytes) return InvalidField(field, absl::StrCat("is longer than ", kMaxUrlBytes, " bytes"));
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) {
    return InvalidField(field, absl::StrCat("'", url, "' is not an absolute URL (http:// or https://)"));
  }
  std::string scheme = absl::AsciiStrToLower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return InvalidField(field, absl::StrCat("scheme '", scheme, "' is not supported (use http or https)"));
  }
  for (char c : url) {
    if (absl::ascii_iscntrl(static_cast<unsigned char>(c)) || c == ' ') {
      return InvalidField(field, "contains spaces or control characters");
    }
  }
  absl::string_view rest = url.substr(scheme_end + 3);
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != absl::string_view::npos) authority = authority.substr(at + 1);
  absl::string_view host = authority;
  if (absl::StartsWith(authority, "[")) {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) return InvalidField(field, "has an unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      int port;
      if (after[0] != ':' || !absl::SimpleAtoi(after.substr(1), &port) || port < 1 || port > 65535) {
        return InvalidField(field, "has an invalid port");
      }
    }
  } else if (size_t colon = authority.find(':'); colon != absl::string_view::npos) {
    host = authority.substr(0, colon);
    int port;
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return InvalidField(field, "has an invalid port");
    }
  }
  if (host.empty()) return InvalidField(field, "has no host");
  return absl::OkStatus();
}

absl::Status ValidateHttp(const v1::HttpSpec& http, const std::string& f) {
  RETURN_IF_ERROR(ValidateUrl(f + ".url", http.url()));
  static constexpr absl::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT",
                                                   "PATCH", "DELETE", "OPTIONS"};
  if (std::find(std::begin(kMethods), std::end(kMethods), http.method()) == std::end(kMethods)) {
    return InvalidField(f + ".method", absl::StrCat("'", http.method(),
                                               "' is not one of GET HEAD POST PUT PATCH DELETE OPTIONS"));
  }
  if (http.headers_size() > kMaxHeaders) {
    return InvalidField(f + ".headers", absl::StrCat("at most ", kMaxHeaders, " headers"));
  }
  size_t header_bytes = 0;
  for (int i = 0; i < http.headers_size(); ++i) {
    const auto& h = http.headers(i);
    const std::string hf = absl::StrCat(f, ".headers[", i, "]");
    if (!IsToken(h.name())) return InvalidField(hf + ".name", absl::StrCat("'", h.name(), "' is not a valid header name"));
    if (absl::StrContains(h.value(), '\r') || absl::StrContains(h.value(), '\n') ||
        absl::StrContains(h.value(), '\0')) {
      return InvalidField(hf + ".value", "must not contain CR, LF or NUL");
    }
    header_bytes += h.name().size() + h.value().size();
  }
  if (header_bytes > kMaxHeaderBytes) {
    return InvalidField(f + ".headers", absl::StrCat("total size exceeds ", kMaxHeaderBytes, " bytes"));
  }
  if (http.body().size() > kMaxBodyBytes) {
    return InvalidField(f + ".body", absl::StrCat("is larger than ", kMaxBodyBytes, " bytes"));
  }
  for (int i = 0; i < http.accepted_statuses_size(); ++i) {
    const auto& r = http.accepted_statuses(i);
    const std::string rf = absl::StrCat(f, ".accepted_statuses[", i, "]");
    if (r.min() < 100 || r.min() > 599) return InvalidField(rf + ".min", "must be 100..599");
    if (r.max() < r.min() || r.max() > 599) return InvalidField(rf + ".max", "must be min..599");
  }
  if (http.keyword().size() > 1024) return InvalidField(f + ".keyword", "is longer than 1024 bytes");
  if (http.keyword_absent().size() > 1024) return InvalidField(f + ".keyword_absent", "is longer than 1024 bytes");
  return absl::OkStatus();
}

absl::Status ValidateSpec(const v1::Monitor& m, const std::string& prefix) {
  switch (m.spec_case()) {
    case v1::Monitor::kHttp:
      return ValidateHttp(m.http(), prefix + ".http");
    case v1::Monitor::kTcp:
      RETURN_IF_ERROR(ValidateHost(prefix + ".tcp.host", m.tcp().host()));
      if (m.tcp().port() < 1 || m.tcp().port() > 65535) return InvalidField(prefix + ".tcp.port", "must be 1..65535");
      return absl::OkStatus();
    case v1::Monitor::kDns: {
      const std::string f = prefix + ".dns";
      RETURN_IF_ERROR(ValidateHost(f + ".name", m.dns().name()));
      if (!v1::DnsRecordType_IsValid(m.dns().record_type())) return InvalidField(f + ".record_type", "unknown record type");
      if (m.dns().expected_answer().size() > 1024) return InvalidField(f + ".expected_answer", "is longer than 1024 bytes");
      if (!m.dns().resolver().empty()) {
        absl::string_view r = m.dns().resolver();
        if (!ParseHostPort(f + ".resolver", r).ok()) RETURN_IF_ERROR(ValidateHost(f + ".resolver", r));
      }
      return absl::OkStatus();
    }
    case v1::Monitor::kGrpc: {
      ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(prefix + ".grpc.target", m.grpc().target()));
      RETURN_IF_ERROR(ValidateHost(prefix + ".grpc.target", hp.host));
      if (m.grpc().service().size() > 255 || HasControlChars(m.grpc().service())) {
        return InvalidField(prefix + ".grpc.service", "must be at most 255 printable characters");
      }
      return absl::OkStatus();
    }
    case v1::Monitor::kIcmp:
      return ValidateHost(prefix + ".icmp.host", m.icmp().host());
    case v1::Monitor::SPEC_NOT_SET:
      break;
  }
  return InvalidField(prefix, "one of http, tcp, dns, grpc or icmp is required");
}

}  // namespace

void ApplyMonitorDefaults(v1::Monitor* m) {
  // An explicit 0 stays, so validation rejects it instead of silently defaulting.
  if (!m->has_interval()) {
    ToProto(kDefaultInterval, m->mutable_interval());
  }
  if (!m->has_timeout()) {
    ToProto(std::clamp(FromProto(m->interval()) / 2, absl::Milliseconds(1), absl::Seconds(10)),
                m->mutable_timeout());
  }
  if (m->failure_threshold() == 0) m->set_failure_threshold(1);
  if (m->recovery_threshold() == 0) m->set_recovery_threshold(1);
  auto* loc = m->mutable_locations();
  if (loc->location_label().empty()) loc->set_location_label("region");
  if (loc->count() == 0) loc->set_count(1);
  if (loc->quorum() == 0) loc->set_quorum(1);
  if (m->has_http()) {
    auto* http = m->mutable_http();
    if (http->method().empty()) http->set_method("GET");
    else http->set_method(absl::AsciiStrToUpper(http->method()));
    if (!http->has_follow_redirects()) http->set_follow_redirects(true);
  }
}

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

absl::Status ValidateLabels(const std::string& field,
                            const google::protobuf::Map<std::string, std::string>& labels) {
  for (const auto& [key, value] : labels) RETURN_IF_ERROR(ValidateLabel(field, key, value));
  if (labels.size() > kMaxLabels) {
    return InvalidField(field, absl::StrCat("at most ", kMaxLabels, " labels"));
  }
  return absl::OkStatus();
}

absl::Status ValidateMonitor(const v1::Monitor& m, const std::string& prefix,
                             const std::function<bool(const std::string&)>& channel_exists) {
  if (m.name().empty()) return InvalidField(prefix + ".name", "is required");
  if (m.name().size() > 200) return InvalidField(prefix + ".name", "is longer than 200 characters");
  if (HasControlChars(m.name())) return InvalidField(prefix + ".name", "contains control characters");
  RETURN_IF_ERROR(ValidateLabels(prefix + ".labels", m.labels()));
  RETURN_IF_ERROR(ValidateSpec(m, prefix));

  RETURN_IF_ERROR(ValidateDuration(prefix + ".interval", m.interval()));
  RETURN_IF_ERROR(ValidateDuration(prefix + ".timeout", m.timeout()));
  const absl::Duration interval = FromProto(m.interval());
  const absl::Duration timeout = FromProto(m.timeout());
  if (interval < kMinInterval || interval > kMaxInterval) {
    return InvalidField(prefix + ".interval",
                   absl::StrCat("must be between 1s and 24h, got ", absl::FormatDuration(interval)));
  }
  if (timeout <= absl::ZeroDuration()) return InvalidField(prefix + ".timeout", "must be positive");
  if (timeout >= interval) {
    return InvalidField(prefix + ".timeout",
                   absl::StrCat("must be shorter than the interval (", absl::FormatDuration(interval),
                                "), got ", absl::FormatDuration(timeout)));
  }
  if (m.failure_threshold() < 1 || m.failure_threshold() > 100) {
    return InvalidField(prefix + ".failure_threshold", "must be 1..100");
  }
  if (m.recovery_threshold() < 1 || m.recovery_threshold() > 100) {
    return InvalidField(prefix + ".recovery_threshold", "must be 1..100");
  }
  const auto& loc = m.locations();
  RETURN_IF_ERROR(LabelSelector::Parse(prefix + ".locations.selector", loc.selector()).status());
  RETURN_IF_ERROR(ValidateLabel(prefix + ".locations.location_label", loc.location_label(), ""));
  if (loc.count() < 1 || loc.count() > 16) return InvalidField(prefix + ".locations.count", "must be 1..16");
  if (loc.quorum() < 1 || loc.quorum() > loc.count()) {
    return InvalidField(prefix + ".locations.quorum", "must be 1..locations.count");
  }
  for (int i = 0; i < m.channel_ids_size(); ++i) {
    if (!channel_exists(m.channel_ids(i))) {
      return InvalidField(absl::StrCat(prefix, ".channel_ids[", i, "]"),
                     absl::StrCat("unknown channel '", m.channel_ids(i), "'"));
    }
  }
  RETURN_IF_ERROR(ValidateDuration(prefix + ".renotify_interval", m.renotify_interval()));
  const absl::Duration renotify = FromProto(m.renotify_interval());
  if (renotify != absl::ZeroDuration() && (renotify < absl::Minutes(1) || renotify > absl::Hours(24 * 7))) {
    return InvalidField(prefix + ".renotify_interval", "must be 0 (off) or between 1m and 7d");
  }
  if (m.tls_expiry_warning_days() < 0 || m.tls_expiry_warning_days() > 365) {
    return InvalidField(prefix + ".tls_expiry_warning_days", "must be 0..365");
  }
  return absl::OkStatus();
}

}  // namespace uptime::coordinator
