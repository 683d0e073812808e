// MetricsServer over real sockets: plain HTTP, HTTPS, and mutual TLS, with
// libcurl as the scraper.
#include "common/metrics_server.h"

#include <curl/curl.h>

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_certs.h"

namespace uptime {
namespace {

using testing::CertPair;
using testing::MakeSelfSignedCert;

struct Fetched {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
};

struct ClientTls {
  std::string ca = {}, cert = {}, key = {};
};

Fetched Get(const std::string& url, const ClientTls& tls = {}) {
  Fetched out;
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* ud) {
    static_cast<std::string*>(ud)->append(p, s * n);
    return s * n;
  });
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  if (!tls.ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca.c_str());
  if (!tls.cert.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, tls.cert.c_str());
  if (!tls.key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, tls.key.c_str());
  out.code = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  curl_easy_cleanup(c);
  return out;
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::TempDir::Create("metrics-tls");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    registry_.AddCounter("uptime_test_total", "A counter")->Increment(3);
  }

  CertPair Cert() {
    auto pair = MakeSelfSignedCert("localhost", absl::Now() - absl::Hours(1),
                                   absl::Now() + absl::Hours(24), dir_->path());
    EXPECT_TRUE(pair.ok()) << pair.status();
    return pair.ok() ? *pair : CertPair{};
  }

  std::optional<testing::TempDir> dir_;
  MetricsRegistry registry_;
};

TEST_F(MetricsServerTest, ServesPlainHttp) {
  auto server = MetricsServer::Start({.listen = "127.0.0.1:0", .registry = &registry_,
                                      .healthy = {}, .ready = [] { return false; }, .tls = {}});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string base = absl::StrCat("http://127.0.0.1:", (*server)->port());
  Fetched metrics = Get(base + "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_TRUE(absl::StrContains(metrics.body, "uptime_test_total 3")) << metrics.body;
  EXPECT_EQ(Get(base + "/healthz").status, 200);
  EXPECT_EQ(Get(base + "/readyz").status, 503);
  EXPECT_EQ(Get(base + "/nope").status, 404);
}

TEST_F(MetricsServerTest, ServesHttpsWithTheGivenCertificate) {
  const CertPair server_cert = Cert();
  MetricsServerOptions options{.listen = "127.0.0.1:0", .registry = &registry_};
  options.tls.cert_file = server_cert.cert_path;
  options.tls.key_file = server_cert.key_path;
  auto server = MetricsServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  Fetched ok = Get(absl::StrCat("https://localhost:", port, "/metrics"), {.ca = server_cert.cert_path});
  EXPECT_EQ(ok.code, CURLE_OK) << curl_easy_strerror(ok.code);
  EXPECT_TRUE(absl::StrContains(ok.body, "uptime_test_total 3"));
  // An untrusted certificate, and plain HTTP on the TLS port, get nothing.
  EXPECT_NE(Get(absl::StrCat("https://localhost:", port, "/metrics")).code, CURLE_OK);
  Fetched plain = Get(absl::StrCat("http://127.0.0.1:", port, "/metrics"));
  EXPECT_FALSE(plain.code == CURLE_OK && plain.status == 200);
}

TEST_F(MetricsServerTest, MutualTlsRequiresAClientCertificate) {
  const CertPair server_cert = Cert();
  const CertPair client_cert = Cert();  // self-signed: its own CA
  MetricsServerOptions options{.listen = "127.0.0.1:0", .registry = &registry_};
  options.tls = {.cert_file = server_cert.cert_path, .key_file = server_cert.key_path,
                 .client_ca_file = client_cert.cert_path};
  auto server = MetricsServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = absl::StrCat("https://localhost:", (*server)->port(), "/metrics");
  EXPECT_NE(Get(url, {.ca = server_cert.cert_path}).code, CURLE_OK);
  Fetched ok = Get(url, {.ca = server_cert.cert_path, .cert = client_cert.cert_path,
                         .key = client_cert.key_path});
  EXPECT_EQ(ok.code, CURLE_OK) << curl_easy_strerror(ok.code);
  EXPECT_EQ(ok.status, 200);
  // A certificate the server does not trust is refused too.
  const CertPair stranger = Cert();
  EXPECT_NE(Get(url, {.ca = server_cert.cert_path, .cert = stranger.cert_path,
                      .key = stranger.key_path})
                .code,
            CURLE_OK);
}

TEST_F(MetricsServerTest, BadTlsFilesAreRefusedNamingTheFlag) {
  MetricsServerOptions options{.listen = "127.0.0.1:0", .registry = &registry_};
  options.tls.cert_file = dir_->path() + "/missing.pem";
  options.tls.key_file = dir_->path() + "/missing.key";
  auto server = MetricsServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(server.status().message(), "--metrics-tls-cert"))
      << server.status();
  options.tls.key_file.clear();
  server = MetricsServer::Start(options);
  EXPECT_TRUE(absl::StrContains(server.status().message(), "--metrics-tls-key")) << server.status();
}

}  // namespace
}  // namespace uptime
