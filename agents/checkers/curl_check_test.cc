// Which URLs need a name lookup by the engine (HostNeedingLookup).
#include "agents/checkers/curl_check.h"

#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

TEST(HostNeedingLookup, NamesWithTheirPorts) {
  auto h = HostNeedingLookup("http://example.com/health");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->name, "example.com");
  EXPECT_EQ(h->port, 80);
  h = HostNeedingLookup("HTTPS://user:pw@api.example.com:8443?q=1");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->name, "api.example.com");
  EXPECT_EQ(h->port, 8443);
  h = HostNeedingLookup("https://svc_1.internal#frag");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->name, "svc_1.internal");
  EXPECT_EQ(h->port, 443);
}

TEST(HostNeedingLookup, NoneForLiteralsLocalhostAndWhatCurlMustHandle) {
  for (const char* url : {"http://127.0.0.1:8080/", "http://[::1]:80/", "http://10.1/",
                          "http://0x7f.1/", "http://localhost:9/", "http://a.localhost/",
                          "http://bücher.example/", "http://a%2eb/", "ftp://example.com/",
                          "example.com", "http://example.com:0/", "http://example.com:x/",
                          "http:///path"}) {
    EXPECT_FALSE(HostNeedingLookup(url).has_value()) << url;
  }
}

}  // namespace
}  // namespace uptime::agent
