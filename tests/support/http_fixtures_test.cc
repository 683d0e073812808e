// Proves the HTTP fixtures (HttpTarget, WebhookSink, certificates) with
// libcurl as the client, as the checkers and notifiers will use it.

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_certs.h"
#include "tests/support/webhook_sink.h"

namespace uptime::testing {
namespace {

// ---------------------------------------------------------------- helpers --

// curl_global_init is not safe to race with other threads; do it before any.
const bool kCurlReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;

struct FetchOptions {
  std::string method = "GET";
  std::string body;
  std::vector<std::string> headers;
  std::string ca_file;  // Trust only this certificate.
  bool verify = true;
  absl::Duration timeout = absl::Seconds(5);
};

struct FetchResult {
  CURLcode code = CURLE_OK;
  std::string error;
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  long new_connections = 0;

  std::string Header(absl::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (absl::EqualsIgnoreCase(k, name)) return v;
    }
    return "";
  }
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<FetchResult*>(out)->body.append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  absl::string_view line(data, size * n);
  std::vector<absl::string_view> kv =
      absl::StrSplit(line, absl::MaxSplits(':', 1));
  if (kv.size() == 2) {
    static_cast<FetchResult*>(out)->headers.emplace_back(
        std::string(absl::StripAsciiWhitespace(kv[0])),
        std::string(absl::StripAsciiWhitespace(kv[1])));
  }
  return size * n;
}

// One request on `curl`, which keeps its connection for the next call.
FetchResult Fetch(CURL* curl, const std::string& url,
                  const FetchOptions& options = {}) {
  FetchResult result;
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = nullptr;
  for (const std::string& h : options.headers) {
    headers = curl_slist_append(headers, h.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // Never an env proxy.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, options.method.c_str());
  if (!options.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, options.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(options.body.size()));
  }
  if (!options.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options.verify ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options.verify ? 2L : 0L);
  result.code = curl_easy_perform(curl);
  result.error = error;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &result.new_connections);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  return result;
}

FetchResult Fetch(const std::string& url, const FetchOptions& options = {}) {
  CURL* curl = curl_easy_init();
  FetchResult result = Fetch(curl, url, options);
  curl_easy_cleanup(curl);
  return result;
}
// ------------------------------------------------------------- tls certs --

TEST(TlsCertsTest, CertificateHasTheRequestedNamesAndValidity) {
  auto dir = TempDir::Create("uptime-cert-test-");
  ASSERT_TRUE(dir.ok());
  const absl::Time not_after = absl::Now() + absl::Hours(72);
  auto pair = MakeSelfSignedCert("probe.test", absl::Now() - absl::Hours(1),
                                 not_after, dir->path());
  ASSERT_TRUE(pair.ok()) << pair.status();
  auto second =
      MakeSelfSignedCert("probe.test", absl::Now(), not_after, dir->path());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->cert_path, pair->cert_path);

  FILE* f = std::fopen(pair->cert_path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert, "probe.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)),
            1);
  EXPECT_NEAR(days * 86400 + seconds, 72 * 3600, 60);

  BIO* bio = BIO_new_mem_buf(pair->key_pem.data(),
                             static_cast<int>(pair->key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  EVP_PKEY_free(key);
  X509_free(cert);
}

// ----------------------------------------------------------- http target --

TEST(HttpTargetTest, BehaviourFlipsAtRuntime) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  HttpTarget& t = **target;
  ASSERT_TRUE(kCurlReady);
  EXPECT_EQ(t.url("/health"),
            absl::StrCat("http://127.0.0.1:", t.port(), "/health"));

  FetchResult r = Fetch(t.url());
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK uptime-target");

  t.SetStatus(503);
  t.SetBody("maintenance");
  t.SetHeader("X-Uptime", "1");
  t.SetHeader("x-uptime", "2");  // Replaces, case-insensitively.
  r = Fetch(t.url());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "maintenance");
  EXPECT_EQ(r.Header("X-Uptime"), "2");

  t.SetRedirect("/elsewhere");
  r = Fetch(t.url());
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("Location"), "/elsewhere");
  t.SetRedirect("");
  EXPECT_EQ(Fetch(t.url()).status, 503);

  t.SetCloseWithoutResponse(true);
  r = Fetch(t.url());
  EXPECT_EQ(r.code, CURLE_GOT_NOTHING) << r.error;
  t.SetCloseWithoutResponse(false);
  t.SetStatus(200);
  EXPECT_EQ(Fetch(t.url()).status, 200);
  EXPECT_EQ(t.request_count(), 6);
}

TEST(HttpTargetTest, RecordsRequests) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  FetchOptions post;
  post.method = "POST";
  post.body = "payload";
  post.headers = {"X-Probe: abc"};
  ASSERT_EQ(Fetch((*target)->url("/path?q=1"), post).status, 200);
  FetchOptions head;
  head.method = "HEAD";
  // HEAD answers carry no body; curl must be told not to wait for one.
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  FetchResult r = Fetch(curl, (*target)->url("no-slash"), head);
  curl_easy_cleanup(curl);
  EXPECT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.Header("Content-Length"), "16");

  std::vector<RecordedRequest> requests = (*target)->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/path?q=1");
  EXPECT_EQ(requests[0].body, "payload");
  EXPECT_EQ(requests[0].Header("x-probe"), "abc");
  EXPECT_EQ(requests[1].method, "HEAD");
  EXPECT_EQ(requests[1].target, "/no-slash");
}

TEST(HttpTargetTest, DelayDoesNotHoldUpOtherConnections) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  (*target)->SetDelay(absl::Seconds(1));
  FetchResult slow;
  absl::Duration slow_took;
  std::thread client([&] {
    absl::Time start = absl::Now();
    slow = Fetch((*target)->url());
    slow_took = absl::Now() - start;
  });
  ASSERT_EVENTUALLY((*target)->request_count() == 1, absl::Seconds(5));
  (*target)->SetDelay(absl::ZeroDuration());
  absl::Time start = absl::Now();
  FetchResult fast = Fetch((*target)->url());
  absl::Duration fast_took = absl::Now() - start;
  client.join();
  EXPECT_EQ(fast.status, 200);
  EXPECT_EQ(slow.status, 200);
  EXPECT_LT(fast_took, absl::Milliseconds(500));
  EXPECT_GE(slow_took, absl::Seconds(1));
}

TEST(HttpTargetTest, KeepAliveAndConnectionClose) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  CURL* curl = curl_easy_init();
  EXPECT_EQ(Fetch(curl, (*target)->url()).new_connections, 1);
  EXPECT_EQ(Fetch(curl, (*target)->url()).new_connections, 0);  // Reused.
  FetchOptions close;
  close.headers = {"Connection: close"};
  FetchResult r = Fetch(curl, (*target)->url(), close);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_EQ(Fetch(curl, (*target)->url()).new_connections, 1);
  curl_easy_cleanup(curl);
}

TEST(HttpTargetTest, BodiesOverOneMebibyteAreRefused) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  FetchOptions big;
  big.method = "POST";
  big.body = std::string((1 << 20) + 1, 'x');
  EXPECT_NE(Fetch((*target)->url(), big).code, CURLE_OK);
  big.body.pop_back();
  EXPECT_EQ(Fetch((*target)->url(), big).status, 200);
}

TEST(HttpTargetTest, ServesManyConcurrentClients) {
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  constexpr int kClients = 16, kRequestsEach = 250;
  std::atomic<int> ok{0};
  absl::Time start = absl::Now();
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      CURL* curl = curl_easy_init();
      for (int j = 0; j < kRequestsEach; ++j) {
        if (Fetch(curl, (*target)->url()).status == 200) ++ok;
      }
      curl_easy_cleanup(curl);
    });
  }
  for (std::thread& c : clients) c.join();
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(ok.load(), kClients * kRequestsEach);
  EXPECT_EQ((*target)->request_count(), kClients * kRequestsEach);
  std::printf("%d requests from %d keep-alive clients in %s (%.0f/s)\n",
              kClients * kRequestsEach, kClients,
              absl::FormatDuration(took).c_str(),
              kClients * kRequestsEach / absl::ToDoubleSeconds(took));
}

TEST(HttpTargetTest, HttpsWithTrustedSelfSignedCertificate) {
  HttpTarget::Options options;
  options.tls = true;
  auto target = HttpTarget::Start(options);
  ASSERT_TRUE(target.ok()) << target.status();
  ASSERT_TRUE(absl::StartsWith((*target)->url(), "https://127.0.0.1:"));
  FetchOptions trusted;
  trusted.ca_file = (*target)->cert_path();
  CURL* curl = curl_easy_init();
  FetchResult r = Fetch(curl, (*target)->url(), trusted);
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK uptime-target");
  EXPECT_EQ(Fetch(curl, (*target)->url(), trusted).new_connections, 0);
  curl_easy_cleanup(curl);
  // The system store does not know it.
  EXPECT_EQ(Fetch((*target)->url()).code, CURLE_PEER_FAILED_VERIFICATION);

  (*target)->SetCloseWithoutResponse(true);
  EXPECT_NE(Fetch((*target)->url(), trusted).code, CURLE_OK);
}

TEST(HttpTargetTest, ExpiredCertificateFailsVerification) {
  HttpTarget::Options options;
  options.tls = true;
  options.cert_not_before = absl::Now() - absl::Hours(24 * 30);
  options.cert_not_after = absl::Now() - absl::Hours(24);
  auto target = HttpTarget::Start(options);
  ASSERT_TRUE(target.ok()) << target.status();
  FetchOptions verify;
  verify.ca_file = (*target)->cert_path();
  FetchResult r = Fetch((*target)->url(), verify);
  EXPECT_EQ(r.code, CURLE_PEER_FAILED_VERIFICATION);
  EXPECT_TRUE(absl::StrContains(r.error, "expired")) << r.error;
  FetchOptions insecure;
  insecure.verify = false;
  EXPECT_EQ(Fetch((*target)->url(), insecure).status, 200);
}

// ---------------------------------------------------------- webhook sink --

TEST(WebhookSinkTest, RecordsWhatWasPosted) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  EXPECT_EQ((*sink)->url(),
            absl::StrCat("http://127.0.0.1:", (*sink)->port(), "/hook"));
  FetchOptions post;
  post.method = "POST";
  post.body = R"({"text":"example.com is DOWN"})";
  post.headers = {"Content-Type: application/json"};
  absl::Time before = absl::Now();
  FetchResult r = Fetch((*sink)->url(), post);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");

  ASSERT_EQ((*sink)->count(), 1u);
  WebhookSink::Request req = (*sink)->requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/hook");
  EXPECT_EQ(req.body, post.body);
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("X-Missing"), "");
  EXPECT_GE(req.received, before);
  EXPECT_LE(req.received, absl::Now());
}

TEST(WebhookSinkTest, ScriptedResponsesComeFirstInOrder) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  (*sink)->ScriptResponses(
      {{500, "boom", ""}, {500, "boom again", ""}, {429, "slow down", "7"}});
  FetchOptions post;
  post.method = "POST";
  post.body = "{}";
  std::vector<FetchResult> results;
  for (int i = 0; i < 4; ++i) results.push_back(Fetch((*sink)->url(), post));
  EXPECT_EQ(results[0].status, 500);
  EXPECT_EQ(results[0].body, "boom");
  EXPECT_EQ(results[1].status, 500);
  EXPECT_EQ(results[1].Header("Retry-After"), "");
  EXPECT_EQ(results[2].status, 429);
  EXPECT_EQ(results[2].Header("Retry-After"), "7");
  EXPECT_EQ(results[3].status, 200);
  EXPECT_EQ(results[3].body, "ok");
  EXPECT_EQ((*sink)->count(), 4u);
  (*sink)->Clear();
  EXPECT_EQ((*sink)->count(), 0u);
  EXPECT_TRUE((*sink)->requests().empty());
}

TEST(WebhookSinkTest, ServesHttps) {
  WebhookSink::Options options;
  options.tls = true;
  auto sink = WebhookSink::Start(options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  FetchOptions post;
  post.method = "POST";
  post.body = "{}";
  post.ca_file = (*sink)->cert_path();
  FetchResult r = Fetch((*sink)->url("/services/T0/B0/x"), post);
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ((*sink)->count(), 1u);
  EXPECT_EQ((*sink)->requests()[0].target, "/services/T0/B0/x");
}

}  // namespace
}  // namespace uptime::testing
