#include "coordinator/notifiers/http_post.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/logging.h"
#include "coordinator/notifiers/notifier.h"
#include "spdlog/spdlog.h"

namespace uptime::notifiers {
namespace {

constexpr size_t kMaxIdleHandles = 4;
constexpr size_t kErrorBodyChars = 200;
constexpr char kUserAgent[] = "uptime-monitor-notifier/1";

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string GetPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

// Per-transfer state the callbacks fill in.
struct Transfer {
  size_t max_body = 0;
  HttpPostResponse response;
  std::string retry_after_header;
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  const size_t room = t->max_body - std::min(t->max_body, t->response.body.size());
  t->response.body.append(data, std::min(n, room));
  if (n > room) {
    // Returning less than n makes curl stop with CURLE_WRITE_ERROR, which
    // Post() recognizes: the status line is all that matters by now.
    t->response.body_truncated = true;
    return 0;
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  absl::string_view line(data, n);
  // A new status line starts a new response (e.g. after "100 Continue"):
  // only the final response's headers count.
  if (absl::StartsWith(line, "HTTP/")) t->retry_after_header.clear();
  if (absl::StartsWithIgnoreCase(line, "retry-after:")) {
    line.remove_prefix(sizeof("retry-after:") - 1);
    t->retry_after_header = std::string(absl::StripAsciiWhitespace(line));
  }
  return n;
}

// Printable ASCII only, one line: bodies may be HTML or binary.
std::string Snippet(absl::string_view body) {
  std::string out;
  for (char c : body.substr(0, kErrorBodyChars)) {
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
  }
  if (body.size() > kErrorBodyChars) out += "...";
  return std::string(absl::StripAsciiWhitespace(out));
}

std::vector<std::string> AllSecrets(const HttpPostRequest& request) {
  std::vector<std::string> secrets = request.secrets;
  secrets.push_back(request.url);
  absl::StatusOr<UrlParts> parts = ParseUrl(request.url);
  if (parts.ok() && parts->path_and_query.size() > 1) secrets.push_back(parts->path_and_query);
  return secrets;
}

}  // namespace

// curl_global_init is not guaranteed thread-safe on every build; doing it
// once before the first handle keeps that question away.
void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

absl::StatusOr<UrlParts> ParseUrl(absl::string_view url) {
  EnsureCurlInitialized();
  std::unique_ptr<CURLU, CurlUrlDeleter> handle(curl_url());
  if (handle == nullptr) return absl::ResourceExhaustedError("out of memory");
  const std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    return absl::InvalidArgumentError("not a valid absolute URL");
  }
  UrlParts parts;
  parts.scheme = absl::AsciiStrToLower(GetPart(handle.get(), CURLUPART_SCHEME));
  std::string host = GetPart(handle.get(), CURLUPART_HOST);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  parts.host = absl::AsciiStrToLower(host);
  parts.path_and_query = GetPart(handle.get(), CURLUPART_PATH);
  const std::string query = GetPart(handle.get(), CURLUPART_QUERY);
  if (!query.empty()) absl::StrAppend(&parts.path_and_query, "?", query);
  parts.has_userinfo = !GetPart(handle.get(), CURLUPART_USER).empty();
  if (parts.host.empty()) return absl::InvalidArgumentError("URL has no host");
  return parts;
}

bool IsLoopbackHost(absl::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 in dotted-quad form only; names resolving there don't count,
  // since resolution can change.
  if (!absl::ConsumePrefix(&host, "127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 2;
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  return std::max(absl::ZeroDuration(), absl::FromTimeT(when) - now);
}

std::string ScrubSecrets(std::string text, const std::vector<std::string>& secrets) {
  std::vector<std::string> sorted = secrets;
  // Longest first, so a URL is removed whole before its path is looked for.
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : sorted) {
    if (secret.empty()) continue;
    text = absl::StrReplaceAll(text, {{secret, "****"}});
  }
  return text;
}

HttpPoster::HttpPoster(Clock* clock) : clock_(clock != nullptr ? clock : RealClock::Get()) {
  EnsureCurlInitialized();
}

HttpPoster::~HttpPoster() {
  absl::MutexLock lock(&mu_);
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpPoster::TakeHandle() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpPoster::ReturnHandle(void* handle) {
  // Reset drops options but keeps live connections and TLS sessions.
  curl_easy_reset(static_cast<CURL*>(handle));
  absl::MutexLock lock(&mu_);
  if (idle_.size() < kMaxIdleHandles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

absl::StatusOr<HttpPostResponse> HttpPoster::Post(const HttpPostRequest& request) {
  absl::StatusOr<UrlParts> parts = ParseUrl(request.url);
  if (!parts.ok()) {
    return PermanentError(absl::StrCat(request.what, ": ", parts.status().message()));
  }
  if (parts->scheme != "http" && parts->scheme != "https") {
    return PermanentError(absl::StrCat(request.what, ": URL scheme must be http or https"));
  }

  CURL* curl = static_cast<CURL*>(TakeHandle());
  if (curl == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
  // The handle goes back to the pool on every path out of here.
  std::unique_ptr<void, std::function<void(void*)>> handle_guard(
      curl, [this](void* h) { ReturnHandle(h); });

  curl_slist* raw_headers = nullptr;
  raw_headers = curl_slist_append(
      raw_headers, absl::StrCat("Content-Type: ", request.content_type).c_str());
  // Without this, curl waits up to a second for "100 Continue" before
  // sending bodies over 1 KiB: pure alert latency.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  for (const auto& [name, value] : request.headers) {
    raw_headers = curl_slist_append(raw_headers, absl::StrCat(name, ": ", value).c_str());
  }
  std::unique_ptr<curl_slist, CurlSlistDeleter> headers(raw_headers);

  Transfer transfer;
  transfer.max_body = request.max_response_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(
      std::max<int64_t>(1, absl::ToInt64Milliseconds(request.timeout)));

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!request.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

  const absl::Time started = clock_->Now();
  const CURLcode code = curl_easy_perform(curl);
  const absl::Duration took = clock_->Now() - started;
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  // The buffer dies with this frame; the pooled handle must not keep it.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

  const bool truncated_ok = code == CURLE_WRITE_ERROR && transfer.response.body_truncated;
  if (code != CURLE_OK && !truncated_ok) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    std::string message = ScrubSecrets(
        absl::StrCat(request.what, ": delivery failed: ", detail), AllSecrets(request));
    spdlog::debug("{} after {}", message, absl::FormatDuration(took));
    if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
      return PermanentError(message);
    }
    return RetryableError(message);
  }
  // The host is not secret (unlike the path); it helps tell channels apart.
  spdlog::debug("{}: POST to {} answered HTTP {} in {}", request.what, parts->host, status,
                absl::FormatDuration(took));
  transfer.response.status = static_cast<int>(status);
  if (!transfer.retry_after_header.empty()) {
    transfer.response.retry_after =
        ParseRetryAfter(transfer.retry_after_header, clock_->Now());
  }
  return std::move(transfer.response);
}

absl::Status HttpPoster::PostAndClassify(const HttpPostRequest& request) {
  absl::StatusOr<HttpPostResponse> response = Post(request);
  if (!response.ok()) return response.status();
  return ClassifyHttpResponse(request, *response);
}

absl::Status ClassifyHttpResponse(const HttpPostRequest& request,
                                  const HttpPostResponse& response) {
  const int s = response.status;
  if (s >= 200 && s < 300) return absl::OkStatus();
  std::string message = absl::StrCat(request.what, ": HTTP ", s);
  const std::string body = Snippet(response.body);
  if (!body.empty()) absl::StrAppend(&message, ": ", body);
  if (s >= 300 && s < 400) {
    absl::StrAppend(&message, " (redirects are not followed; use the final URL)");
  }
  message = ScrubSecrets(std::move(message), AllSecrets(request));
  if (s == 408 || s == 429 || s >= 500) return RetryableError(message, response.retry_after);
  if (s == 400 || s == 413 || s == 415 || s == 422) return PermanentError(message, false);
  if (s >= 300 && s < 500) return PermanentError(message, true);
  // 1xx as a final answer, or nonsense: the receiver is confused; try later.
  return RetryableError(message, response.retry_after);
}

}  // namespace uptime::notifiers
