#include "gateway/result_json.h"

#include "gateway/request_mapping.h"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

v1::CheckResult Full() {
  v1::CheckResult r;
  r.set_monitor_id("mon-1");
  r.set_agent_id("agent-1");
  r.set_location("eu-west");
  r.set_epoch(3);
  r.set_start_time_us(1796225107003155);
  r.set_scheduled_time_us(1796225107000000);
  r.set_success(true);
  r.set_latency_us(1874);
  r.set_dns_us(10);
  r.set_connect_us(161);
  r.set_tls_us(900);
  r.set_first_byte_us(1790);
  r.set_http_status(200);
  r.set_tls_cert_expiry_unix(1900000000);
  return r;
}

TEST(CheckResultJsonTest, SameBytesAsTheProtobufPrinter) {
  std::vector<v1::CheckResult> cases;
  cases.push_back(v1::CheckResult());
  cases.push_back(Full());
  v1::CheckResult failed = Full();
  failed.set_success(false);
  failed.set_http_status(503);
  failed.set_error_kind(v1::ERROR_KIND_STATUS);
  failed.set_error_message("status: HTTP 503 (accepted 200-299)");
  cases.push_back(failed);
  v1::CheckResult negative;
  negative.set_monitor_id("m");
  negative.set_latency_us(-5);
  negative.set_http_status(-1);
  cases.push_back(negative);
  // Every printable ASCII character the fast path copies as it is.
  v1::CheckResult ascii = failed;
  std::string printable;
  for (char c = 0x20; c < 0x7f; ++c) {
    if (c != '"' && c != '\\' && c != '<' && c != '>') printable += c;
  }
  ascii.set_error_message(printable);
  ascii.set_location(printable);
  cases.push_back(ascii);
  // These take the printer's path: escapes, non-ASCII, odd enum values.
  v1::CheckResult escaped = failed;
  escaped.set_error_message("bad \"quote\" \\ <tag> \n tab\t caf\xc3\xa9 \xe2\x80\xa8");
  cases.push_back(escaped);
  v1::CheckResult odd_enum = Full();
  odd_enum.set_error_kind(static_cast<v1::ErrorKind>(99));
  cases.push_back(odd_enum);
  for (const v1::CheckResult& r : cases) {
    EXPECT_EQ(CheckResultJson(r), ToJson(r)) << r.DebugString();
  }
  EXPECT_EQ(CheckResultJson(v1::CheckResult()), "{}");
}

}  // namespace
}  // namespace uptime::gateway
