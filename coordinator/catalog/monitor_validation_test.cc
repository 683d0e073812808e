#include "coordinator/catalog/monitor_validation.h"

#include "common/proto_time.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

v1::Monitor Valid() {
  v1::Monitor m;
  m.set_name("api");
  m.mutable_http()->set_url("https://example.test/health");
  ToProto(absl::Seconds(30), m.mutable_interval());
  return m;
}

absl::Status Check(v1::Monitor m) {
  ApplyMonitorDefaults(&m);
  return ValidateMonitor(m, "monitor", [](const std::string& id) { return id == "ch-1"; });
}

void ExpectInvalid(const v1::Monitor& m, const std::string& field) {
  absl::Status s = Check(m);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_EQ(s.message().substr(0, field.size() + 1), field + ":") << s.message();
}

TEST(MonitorValidationTest, ValidMonitorGetsDefaults) {
  v1::Monitor m = Valid();
  ApplyMonitorDefaults(&m);
  EXPECT_TRUE(ValidateMonitor(m, "monitor", [](const std::string&) { return false; }).ok());
  EXPECT_EQ(m.http().method(), "GET");
  EXPECT_TRUE(m.http().follow_redirects());
  EXPECT_EQ(FromProto(m.timeout()), absl::Seconds(10));
  EXPECT_EQ(m.failure_threshold(), 1);
  EXPECT_EQ(m.locations().count(), 1);
}

TEST(MonitorValidationTest, RejectsBadInputNamingTheField) {
  v1::Monitor m = Valid();
  m.mutable_http()->set_url("");
  ExpectInvalid(m, "monitor.http.url");

  m = Valid();
  m.mutable_http()->set_url("ftp://example.test/");
  ExpectInvalid(m, "monitor.http.url");

  m = Valid();
  m.mutable_http()->set_url("https:///nohost");
  ExpectInvalid(m, "monitor.http.url");

  m = Valid();
  ToProto(absl::ZeroDuration(), m.mutable_interval());
  ExpectInvalid(m, "monitor.interval");

  m = Valid();
  ToProto(absl::Hours(25), m.mutable_interval());
  ExpectInvalid(m, "monitor.interval");

  m = Valid();
  ToProto(absl::Seconds(30), m.mutable_timeout());
  ExpectInvalid(m, "monitor.timeout");

  m = Valid();
  m.clear_name();
  ExpectInvalid(m, "monitor.name");

  m = Valid();
  m.clear_http();
  ExpectInvalid(m, "monitor");

  m = Valid();
  m.mutable_http()->set_method("TRACE");
  ExpectInvalid(m, "monitor.http.method");

  m = Valid();
  auto* h = m.mutable_http()->add_headers();
  h->set_name("X-Evil");
  h->set_value("a\r\nInjected: 1");
  ExpectInvalid(m, "monitor.http.headers[0].value");

  m = Valid();
  m.mutable_http()->set_body(std::string(kMaxBodyBytes + 1, 'x'));
  ExpectInvalid(m, "monitor.http.body");

  m = Valid();
  auto* r = m.mutable_http()->add_accepted_statuses();
  r->set_min(300);
  r->set_max(200);
  ExpectInvalid(m, "monitor.http.accepted_statuses[0].max");

  m = Valid();
  m.add_channel_ids("nope");
  ExpectInvalid(m, "monitor.channel_ids[0]");

  m = Valid();
  m.mutable_locations()->set_count(2);
  m.mutable_locations()->set_quorum(3);
  ExpectInvalid(m, "monitor.locations.quorum");

  m = Valid();
  m.clear_http();
  m.mutable_tcp()->set_host("db.internal");
  m.mutable_tcp()->set_port(70000);
  ExpectInvalid(m, "monitor.tcp.port");

  m = Valid();
  m.clear_http();
  m.mutable_grpc()->set_target("no-port");
  ExpectInvalid(m, "monitor.grpc.target");
}

TEST(MonitorValidationTest, AcceptsEdgeValues) {
  v1::Monitor m = Valid();
  ToProto(absl::Seconds(1), m.mutable_interval());
  EXPECT_TRUE(Check(m).ok()) << Check(m);
  ToProto(absl::Hours(24), m.mutable_interval());
  EXPECT_TRUE(Check(m).ok());
  m.add_channel_ids("ch-1");
  EXPECT_TRUE(Check(m).ok());
  m.mutable_http()->set_url("HTTP://[::1]:8080/x");
  EXPECT_TRUE(Check(m).ok()) << Check(m);
}

}  // namespace
}  // namespace uptime::coordinator
