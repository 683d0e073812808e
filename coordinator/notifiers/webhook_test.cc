// The webhook notifier end to end: body schema, signature, headers.
#include "coordinator/notifiers/webhook.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/webhook_sink.h"

namespace uptime::notifiers {
namespace {

using test::At;
using test::Item;
using test::ParseJson;
using test::Size;
using test::Str;
using uptime::testing::WebhookSink;

constexpr char kSecret[] = "whsec_0123456789abcdef";

// What a receiver does: recompute the HMAC independently (OpenSSL's EVP
// interface, not the notifier's helper) and compare in constant time.
bool SignatureValid(absl::string_view header, absl::string_view secret, absl::string_view body) {
  if (!absl::ConsumePrefix(&header, "sha256=")) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params);
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac));
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(hmac);
  const std::string expected = absl::HexStringToBytes(header);
  return expected.size() == mac_len && CRYPTO_memcmp(expected.data(), mac, mac_len) == 0;
}

TEST(WebhookTest, SignedJsonBody) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  SimulatedClock clock(test::SampleTime() + absl::Seconds(7) + absl::Milliseconds(900));
  NotifierDeps deps;
  deps.clock = &clock;
  auto notifier =
      MakeWebhookFactory()->Create({{"url", (*sink)->url("/alerts")}, {"secret", kSecret}}, deps);
  ASSERT_TRUE(notifier.ok()) << notifier.status();
  ASSERT_TRUE((*notifier)->Send(test::SampleDownAlert()).ok());

  ASSERT_EQ((*sink)->count(), 1u);
  const auto req = (*sink)->requests()[0];
  EXPECT_EQ(req.target, "/alerts");
  EXPECT_EQ(req.Header("Content-Type"), "application/json");
  EXPECT_EQ(req.Header("X-Uptime-Event"), "down");
  EXPECT_EQ(req.Header("X-Uptime-Timestamp"), "1700000007");
  EXPECT_TRUE(SignatureValid(req.Header("X-Uptime-Signature"), kSecret, req.body))
      << req.Header("X-Uptime-Signature");
  EXPECT_FALSE(SignatureValid(req.Header("X-Uptime-Signature"), "another-secret-value", req.body));
  EXPECT_FALSE(SignatureValid(req.Header("X-Uptime-Signature"), kSecret, req.body + " "));

  const auto doc = ParseJson(req.body);
  EXPECT_EQ(At(doc, "version").number_value(), 1);
  EXPECT_EQ(Str(doc, "kind"), "down");
  EXPECT_EQ(Str(doc, "sent_at"), "2023-11-14T22:13:27Z");  // == the timestamp header
  EXPECT_EQ(Str(doc, "dedup_key"), "inc-42");
  EXPECT_EQ(Str(doc, "incident_id"), "inc-42");
  EXPECT_EQ(Str(doc, "state"), "DOWN");
  EXPECT_EQ(Str(At(doc, "monitor"), "id"), "mon-1");
  EXPECT_EQ(Str(At(doc, "monitor"), "name"), "api-prod");
  EXPECT_EQ(Str(At(doc, "monitor"), "target"), "https://api.example.com/health");
  EXPECT_EQ(Str(At(At(doc, "monitor"), "labels"), "env"), "prod");
  EXPECT_EQ(Str(doc, "cause"), "status: HTTP 503 from eu-west");
  EXPECT_EQ(Str(doc, "since"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(At(doc, "duration_seconds").number_value(), 200);
  ASSERT_EQ(Size(At(doc, "locations")), 2);
  EXPECT_EQ(Item(At(doc, "locations"), 0).string_value(), "eu-west");
  EXPECT_EQ(Str(doc, "dashboard_url"), "https://uptime.example.com/monitors/mon-1");
  EXPECT_TRUE(At(doc, "tls_expiry").has_null_value());
  EXPECT_EQ(Size(At(doc, "group")), 0);
}

TEST(WebhookTest, NoSecretMeansNoSignature) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto notifier = MakeWebhookFactory()->Create({{"url", (*sink)->url("/alerts")}}, {});
  ASSERT_TRUE(notifier.ok()) << notifier.status();
  ASSERT_TRUE((*notifier)->Send(test::SampleRecoveredAlert()).ok());
  const auto req = (*sink)->requests()[0];
  EXPECT_EQ(req.Header("X-Uptime-Signature"), "");
  EXPECT_EQ(req.Header("X-Uptime-Event"), "recovered");
  int64_t ts = 0;
  EXPECT_TRUE(absl::SimpleAtoi(req.Header("X-Uptime-Timestamp"), &ts));
  EXPECT_EQ(Str(ParseJson(req.body), "state"), "UP");
}

TEST(WebhookTest, GroupedStormIsOneRequest) {
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto notifier =
      MakeWebhookFactory()->Create({{"url", (*sink)->url("/alerts")}, {"secret", kSecret}}, {});
  ASSERT_TRUE(notifier.ok());
  ASSERT_TRUE((*notifier)->Send(test::SampleGroup(30)).ok());
  ASSERT_EQ((*sink)->count(), 1u);
  const auto doc = ParseJson((*sink)->requests()[0].body);
  ASSERT_EQ(Size(At(doc, "group")), 30);
  EXPECT_EQ(Str(At(Item(At(doc, "group"), 29), "monitor"), "name"), "m29");
}

TEST(WebhookTest, HelperMatchesKnownVector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace uptime::notifiers
