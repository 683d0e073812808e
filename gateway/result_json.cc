#include "gateway/result_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gateway/request_mapping.h"

namespace uptime::gateway {
namespace {

// Text protobuf's printer copies as it is: printable ASCII without the
// characters it escapes (quote, backslash, and < > which it writes as
// \u003c \u003e).
bool Plain(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>') return false;
  }
  return true;
}

class Writer {
 public:
  void String(absl::string_view name, absl::string_view value) {
    if (value.empty()) return;
    absl::StrAppend(&out_, Sep(), "\"", name, "\":\"", value, "\"");
  }
  void Int64(absl::string_view name, int64_t value) {
    if (value == 0) return;
    absl::StrAppend(&out_, Sep(), "\"", name, "\":\"", value, "\"");
  }
  void Int32(absl::string_view name, int32_t value) {
    if (value == 0) return;
    absl::StrAppend(&out_, Sep(), "\"", name, "\":", value);
  }
  void Bool(absl::string_view name, bool value) {
    if (!value) return;
    absl::StrAppend(&out_, Sep(), "\"", name, "\":true");
  }
  std::string Finish() {
    out_ += "}";
    return std::move(out_);
  }

 private:
  absl::string_view Sep() {
    const bool first = first_;
    first_ = false;
    return first ? "" : ",";
  }
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace

std::string CheckResultJson(const v1::CheckResult& r) {
  if (!Plain(r.monitor_id()) || !Plain(r.agent_id()) || !Plain(r.location()) ||
      !Plain(r.error_message()) || !v1::ErrorKind_IsValid(r.error_kind()) ||
      r.GetReflection()->GetUnknownFields(r).field_count() != 0) {
    return ToJson(r);
  }
  Writer w;
  // Field-number order, as the printer writes them.
  w.String("monitorId", r.monitor_id());
  w.String("agentId", r.agent_id());
  w.String("location", r.location());
  w.Int64("epoch", r.epoch());
  w.Int64("startTimeUs", r.start_time_us());
  w.Int64("scheduledTimeUs", r.scheduled_time_us());
  w.Bool("success", r.success());
  w.Int64("latencyUs", r.latency_us());
  w.Int64("dnsUs", r.dns_us());
  w.Int64("connectUs", r.connect_us());
  w.Int64("tlsUs", r.tls_us());
  w.Int64("firstByteUs", r.first_byte_us());
  w.Int32("httpStatus", r.http_status());
  if (r.error_kind() != v1::ERROR_KIND_UNSPECIFIED) {
    w.String("errorKind", v1::ErrorKind_Name(r.error_kind()));
  }
  w.String("errorMessage", r.error_message());
  w.Int64("tlsCertExpiryUnix", r.tls_cert_expiry_unix());
  return w.Finish();
}

}  // namespace uptime::gateway
