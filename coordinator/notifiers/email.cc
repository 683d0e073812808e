#include "coordinator/notifiers/email.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/notifiers/config_util.h"
#include "coordinator/notifiers/email_message.h"
#include "coordinator/notifiers/http_post.h"

namespace uptime::notifiers {
namespace {

constexpr size_t kMaxRecipients = 50;

struct EmailConfig {
  std::string url;
  std::string from;
  std::vector<std::string> to;
  std::string username;
  std::string password;
  long use_ssl = CURLUSESSL_ALL;
};

// Message-ID parts must be dot-atom text; dedup keys are ours but may
// contain anything.
std::string IdPart(absl::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "alert" : out;
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadMessage(char* buffer, size_t size, size_t nmemb, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * nmemb, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class EmailNotifier : public Notifier {
 public:
  EmailNotifier(EmailConfig config, const NotifierDeps& deps)
      : config_(std::move(config)),
        deps_(deps),
        clock_(deps.clock != nullptr ? deps.clock : RealClock::Get()) {
    EnsureCurlInitialized();
  }

  absl::Status Send(const Alert& alert) override {
    const absl::Time now = clock_->Now();
    const std::string domain = config_.from.substr(config_.from.find('@') + 1);
    MimeEnvelope envelope;
    envelope.from = config_.from;
    envelope.to = config_.to;
    envelope.date = now;
    envelope.message_id =
        absl::StrCat(IdPart(DedupKey(alert)), ".", absl::ToUnixMicros(now), "@", IdPart(domain));
    envelope.thread_id = absl::StrCat("incident.", IdPart(DedupKey(alert)), "@", IdPart(domain));
    envelope.event = std::string(AlertKindName(alert.kind));
    const std::string message = RenderMime(BuildEmailContent(alert), envelope);
    return Deliver(message);
  }

 private:
  absl::Status Deliver(const std::string& message) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (curl == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
    curl_slist* raw = nullptr;
    for (const std::string& to : config_.to) {
      raw = curl_slist_append(raw, absl::StrCat("<", to, ">").c_str());
    }
    std::unique_ptr<curl_slist, SlistDeleter> recipients(raw);
    Upload upload{&message};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    const long timeout_ms =
        static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(deps_.timeout)));
    const std::string from = absl::StrCat("<", config_.from, ">");

    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    // One stale address must not keep the alert from the other on-call
    // people; the send fails only when every recipient is refused.
    // (Spelled ALLLOWFAILS until curl 8.2, which keeps it as an alias.)
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadMessage);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(c, CURLOPT_USE_SSL, config_.use_ssl);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!deps_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, deps_.ca_file.c_str());
    if (!config_.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);

    const CURLcode code = curl_easy_perform(c);
    if (code == CURLE_OK) return absl::OkStatus();
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    std::string message_text = absl::StrCat("email: ", detail);
    if (reply > 0) absl::StrAppend(&message_text, " (SMTP ", reply, ")");
    message_text = ScrubSecrets(std::move(message_text), {config_.password});
    if (code == CURLE_LOGIN_DENIED) {
      return PermanentError(absl::StrCat("email: SMTP authentication failed",
                                         reply > 0 ? absl::StrCat(" (SMTP ", reply, ")") : ""));
    }
    if (code == CURLE_USE_SSL_FAILED) {
      return PermanentError(
          "email: the server does not offer STARTTLS (use smtps://, or starttls=try)");
    }
    if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
      return PermanentError(message_text);
    }
    // Only a definite SMTP 5xx is permanent; 4xx means "try again later".
    if (reply >= 500 && reply < 600) return PermanentError(message_text);
    return RetryableError(message_text);
  }

  const EmailConfig config_;
  const NotifierDeps deps_;
  Clock* const clock_;
};

class EmailFactory : public NotifierFactory {
 public:
  std::string name() const override { return "email"; }

  absl::Status ValidateConfig(const NotifierConfig& config) const override {
    absl::StatusOr<EmailConfig> parsed = Parse(config);
    return parsed.status();
  }

  std::vector<std::string> SecretKeys() const override { return {"password"}; }

  absl::StatusOr<std::unique_ptr<Notifier>> Create(const NotifierConfig& config,
                                                   const NotifierDeps& deps) const override {
    absl::StatusOr<EmailConfig> parsed = Parse(config);
    if (!parsed.ok()) return parsed.status();
    return std::make_unique<EmailNotifier>(*std::move(parsed), deps);
  }

 private:
  static absl::StatusOr<EmailConfig> Parse(const NotifierConfig& config) {
    if (absl::Status s =
            CheckKnownKeys(config, {"url", "from", "to", "username", "password", "starttls"});
        !s.ok()) {
      return s;
    }
    EmailConfig out;
    out.url = Get(config, "url");
    if (out.url.empty()) return ConfigError("url", "required");
    absl::StatusOr<UrlParts> url = ParseUrl(out.url);
    if (!url.ok()) return ConfigError("url", url.status().message());
    if (url->scheme != "smtp" && url->scheme != "smtps") {
      return ConfigError("url", "must be an smtp:// or smtps:// URL");
    }
    if (url->has_userinfo) {
      // The URL is not a secret key: it is shown in API responses.
      return ConfigError("url", "must not contain credentials (use username and password)");
    }
    out.from = Get(config, "from");
    if (out.from.empty()) return ConfigError("from", "required");
    if (!IsPlausibleEmail(out.from)) return ConfigError("from", "not an email address");
    out.to = SplitList(Get(config, "to"));
    if (out.to.empty()) return ConfigError("to", "required (comma-separated addresses)");
    if (out.to.size() > kMaxRecipients) {
      return ConfigError("to", absl::StrCat("at most ", kMaxRecipients, " addresses"));
    }
    for (const std::string& to : out.to) {
      if (!IsPlausibleEmail(to)) return ConfigError("to", "contains an invalid email address");
    }
    out.username = Get(config, "username");
    out.password = Get(config, "password");
    if (out.username.empty() && !out.password.empty()) {
      return ConfigError("username", "required when a password is set");
    }
    const std::string starttls = Get(config, "starttls");
    if (starttls == "required") {
      out.use_ssl = CURLUSESSL_ALL;
    } else if (starttls == "try") {
      out.use_ssl = CURLUSESSL_TRY;
    } else if (starttls == "off") {
      out.use_ssl = CURLUSESSL_NONE;
    } else if (starttls.empty()) {
      out.use_ssl = IsLoopbackHost(url->host) ? CURLUSESSL_TRY : CURLUSESSL_ALL;
    } else {
      return ConfigError("starttls", "must be required, try or off");
    }
    if (url->scheme == "smtps") out.use_ssl = CURLUSESSL_ALL;
    return out;
  }
};

}  // namespace

std::unique_ptr<NotifierFactory> MakeEmailFactory() { return std::make_unique<EmailFactory>(); }

}  // namespace uptime::notifiers
