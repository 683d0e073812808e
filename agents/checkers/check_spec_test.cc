#include "agents/checkers/check_spec.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "agents/checkers/curl_check.h"
#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

const AgentIdentity kAgent{"agent-1", {{"region", "eu-west"}, {"zone", "b"}}};

v1::AssignedMonitor Http(const std::string& url) {
  v1::AssignedMonitor am;
  am.set_epoch(3);
  am.mutable_monitor()->set_id("m");
  am.mutable_monitor()->mutable_http()->set_url(url);
  return am;
}

TEST(CheckSpecTest, DefaultsOfTheApi) {
  v1::AssignedMonitor am = Http("http://x/");
  CheckSpecPtr spec = MakeCheckSpec(am, kAgent);
  EXPECT_EQ(spec->id, "m");
  EXPECT_EQ(spec->epoch, 3);
  EXPECT_EQ(spec->interval(), absl::Seconds(60));
  EXPECT_EQ(spec->timeout(), absl::Seconds(10));
  ASSERT_NE(spec->http(), nullptr);
  EXPECT_EQ(spec->http()->method(), "GET");
  EXPECT_EQ(spec->http()->extras, nullptr);  // nothing beyond the defaults: no allocation
  EXPECT_TRUE(spec->http()->follow_redirects);
  EXPECT_FALSE(spec->http()->insecure_skip_tls_verify);

  am.mutable_monitor()->mutable_interval()->set_seconds(4);
  EXPECT_EQ(MakeCheckSpec(am, kAgent)->timeout(), absl::Seconds(2));  // interval / 2
  am.mutable_monitor()->mutable_timeout()->set_seconds(30);
  EXPECT_EQ(MakeCheckSpec(am, kAgent)->timeout(), absl::Seconds(4));  // never above interval
}

TEST(CheckSpecTest, LocationIsTheAgentsLabelValue) {
  v1::AssignedMonitor am = Http("http://x/");
  EXPECT_EQ(MakeCheckSpec(am, kAgent)->location, "eu-west");  // default label "region"
  am.mutable_monitor()->mutable_locations()->set_location_label("zone");
  EXPECT_EQ(MakeCheckSpec(am, kAgent)->location, "b");
  am.mutable_monitor()->mutable_locations()->set_location_label("rack");
  EXPECT_EQ(MakeCheckSpec(am, kAgent)->location, "agent-1");  // agent lacks it
}

TEST(CheckSpecTest, HttpPreparedForCurl) {
  v1::AssignedMonitor am = Http("http://x/");
  v1::HttpSpec* http = am.mutable_monitor()->mutable_http();
  http->set_method("post");
  http->set_body("x=1");
  http->set_follow_redirects(false);
  auto* h = http->add_headers();
  h->set_name("X-A");
  h->set_value("1");
  http->add_headers()->set_name("X-Empty");
  auto* range = http->add_accepted_statuses();
  range->set_min(204);  // max unset: just 204
  CheckSpecPtr spec = MakeCheckSpec(am, kAgent);
  const HttpCheckSpec& hs = *spec->http();
  EXPECT_EQ(hs.method(), "POST");
  EXPECT_EQ(hs.body(), "x=1");
  EXPECT_FALSE(hs.follow_redirects);
  EXPECT_EQ(hs.header_lines(), (std::vector<std::string>{"X-A: 1", "X-Empty;", "Expect:"}));
  EXPECT_TRUE(StatusAccepted(hs, 204));
  EXPECT_FALSE(StatusAccepted(hs, 200));
}

TEST(CheckSpecTest, DefaultAcceptedStatuses) {
  HttpCheckSpec hs;
  EXPECT_FALSE(StatusAccepted(hs, 199));
  EXPECT_TRUE(StatusAccepted(hs, 200));
  EXPECT_TRUE(StatusAccepted(hs, 399));
  EXPECT_FALSE(StatusAccepted(hs, 400));
  EXPECT_FALSE(StatusAccepted(hs, 0));
}

TEST(CheckSpecTest, UnsupportedTypesAreNamed) {
  v1::AssignedMonitor am;
  am.mutable_monitor()->set_id("d");
  CheckSpecPtr spec = MakeCheckSpec(am, kAgent);  // no check kind set
  ASSERT_TRUE(std::holds_alternative<UnsupportedCheckSpec>(spec->target));
  EXPECT_EQ(std::get<UnsupportedCheckSpec>(spec->target).type, "untyped");
}

TEST(CheckSpecTest, DnsGrpcIcmpSpecsCarryTheirFields) {
  v1::AssignedMonitor am;
  am.mutable_monitor()->mutable_dns()->set_name("example.com");
  CheckSpecPtr dns = MakeCheckSpec(am, kAgent);
  ASSERT_NE(dns->dns(), nullptr);
  EXPECT_EQ(dns->dns()->record_type, v1::DNS_RECORD_TYPE_A);  // the default
  am.mutable_monitor()->mutable_grpc()->set_target("h:1");
  am.mutable_monitor()->mutable_grpc()->set_tls(true);
  CheckSpecPtr grpc = MakeCheckSpec(am, kAgent);
  ASSERT_NE(grpc->grpc(), nullptr);
  EXPECT_TRUE(grpc->grpc()->tls);
  am.mutable_monitor()->mutable_icmp()->set_host("127.0.0.1");
  ASSERT_NE(MakeCheckSpec(am, kAgent)->icmp(), nullptr);
}

TEST(CheckSpecTest, FailureMessagesStayValidUtf8AndShort) {
  v1::CheckResult r;
  SetFailure(&r, v1::ERROR_KIND_PROTOCOL, absl::StrCat("bad \xff\xfe byte ", std::string(2000, 'x')));
  EXPECT_EQ(r.error_message().substr(0, 12), "bad ?? byte ");
  EXPECT_LE(r.error_message().size(), 1024u);
  SetFailure(&r, v1::ERROR_KIND_PROTOCOL, absl::StrCat(std::string(1023, 'a'), "\xc3\xa9"));  // é cut in half
  EXPECT_EQ(r.error_message(), std::string(1023, 'a'));
  EXPECT_FALSE(r.success());
}

TEST(ClassifyCurlErrorTest, Kinds) {
  EXPECT_EQ(ClassifyCurlError(CURLE_OPERATION_TIMEDOUT), v1::ERROR_KIND_TIMEOUT);
  EXPECT_EQ(ClassifyCurlError(CURLE_COULDNT_RESOLVE_HOST), v1::ERROR_KIND_DNS);
  EXPECT_EQ(ClassifyCurlError(CURLE_COULDNT_CONNECT), v1::ERROR_KIND_CONNECT);
  EXPECT_EQ(ClassifyCurlError(CURLE_RECV_ERROR), v1::ERROR_KIND_CONNECT);
  EXPECT_EQ(ClassifyCurlError(CURLE_PEER_FAILED_VERIFICATION), v1::ERROR_KIND_TLS);
  EXPECT_EQ(ClassifyCurlError(CURLE_SSL_CONNECT_ERROR), v1::ERROR_KIND_TLS);
  EXPECT_EQ(ClassifyCurlError(CURLE_GOT_NOTHING), v1::ERROR_KIND_PROTOCOL);
  EXPECT_EQ(ClassifyCurlError(CURLE_TOO_MANY_REDIRECTS), v1::ERROR_KIND_PROTOCOL);
  EXPECT_EQ(ClassifyCurlError(CURLE_URL_MALFORMAT), v1::ERROR_KIND_INTERNAL);
}

}  // namespace
}  // namespace uptime::agent
