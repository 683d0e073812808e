#include "coordinator/notifiers/webhook.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "coordinator/notifiers/alert_json.h"
#include "coordinator/notifiers/config_util.h"
#include "coordinator/notifiers/http_post.h"

namespace uptime::notifiers {

std::string HmacSha256Hex(absl::string_view key, absl::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

namespace {

class WebhookNotifier : public Notifier {
 public:
  WebhookNotifier(std::string url, std::string secret, const NotifierDeps& deps)
      : url_(std::move(url)),
        secret_(std::move(secret)),
        deps_(deps),
        clock_(deps.clock != nullptr ? deps.clock : RealClock::Get()),
        poster_(clock_) {}

  absl::Status Send(const Alert& alert) override {
    // Whole seconds, so the header and the body's "sent_at" agree exactly.
    const absl::Time now = absl::FromUnixSeconds(absl::ToUnixSeconds(clock_->Now()));
    HttpPostRequest request;
    request.url = url_;
    request.what = "webhook";
    request.body = AlertToJson(alert, now);
    request.timeout = deps_.timeout;
    request.ca_file = deps_.ca_file;
    request.secrets = {secret_};
    request.headers.emplace_back("X-Uptime-Event", std::string(AlertKindName(alert.kind)));
    request.headers.emplace_back("X-Uptime-Timestamp", absl::StrCat(absl::ToUnixSeconds(now)));
    if (!secret_.empty()) {
      request.headers.emplace_back("X-Uptime-Signature",
                                   absl::StrCat("sha256=", HmacSha256Hex(secret_, request.body)));
    }
    return poster_.PostAndClassify(request);
  }

 private:
  const std::string url_;
  const std::string secret_;
  const NotifierDeps deps_;
  Clock* const clock_;
  HttpPoster poster_;
};

class WebhookFactory : public NotifierFactory {
 public:
  std::string name() const override { return "webhook"; }

  absl::Status ValidateConfig(const NotifierConfig& config) const override {
    if (absl::Status s = CheckKnownKeys(config, {"url", "secret"}); !s.ok()) return s;
    if (absl::Status s = ValidateHttpUrl("url", Get(config, "url"), UrlRule::kHttpOrHttps);
        !s.ok()) {
      return s;
    }
    if (config.count("secret") > 0 && Get(config, "secret").size() < 16) {
      // A short HMAC key can be brute-forced from one captured request.
      return ConfigError("secret", "at least 16 characters when set");
    }
    return absl::OkStatus();
  }

  std::vector<std::string> SecretKeys() const override { return {"secret"}; }

  absl::StatusOr<std::unique_ptr<Notifier>> Create(const NotifierConfig& config,
                                                   const NotifierDeps& deps) const override {
    if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
    return std::make_unique<WebhookNotifier>(Get(config, "url"), Get(config, "secret"), deps);
  }
};

}  // namespace

std::unique_ptr<NotifierFactory> MakeWebhookFactory() {
  return std::make_unique<WebhookFactory>();
}

}  // namespace uptime::notifiers
