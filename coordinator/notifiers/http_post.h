// HTTP POST for notifiers (Slack, webhooks, PagerDuty) on libcurl's easy
// interface, with libcurl's errors translated to the delivery outcomes of
// notifier.h.
//
// Why blocking easy handles and not the multi interface: a notifier sends a
// handful of requests per incident from the alert sender's worker threads;
// the agents' multi-socket loop is for thousands of checks per second. Idle
// handles are pooled per HttpPoster, which keeps the connection (and TLS
// session) to the receiver alive between alerts: a storm of alerts to one
// Slack webhook then costs one handshake, not one per alert.
//
// Example:
//   HttpPoster poster(clock);
//   HttpPostRequest req;
//   req.url = webhook_url;
//   req.what = "slack webhook";
//   req.body = payload;
//   absl::Status s = poster.PostAndClassify(req);
#ifndef UPTIME_COORDINATOR_NOTIFIERS_HTTP_POST_H_
#define UPTIME_COORDINATOR_NOTIFIERS_HTTP_POST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace uptime::notifiers {

struct UrlParts {
  std::string scheme;  // lower case: "http", "https", "smtp", ...
  std::string host;    // without brackets for IPv6
  std::string path_and_query;
  bool has_userinfo = false;  // "user:password@" present
};

// Parses an absolute URL with libcurl's URL parser (the one that will be
// used to connect). INVALID_ARGUMENT on failure; the message never contains
// the URL, which may hold a secret.
absl::StatusOr<UrlParts> ParseUrl(absl::string_view url);

// Initializes libcurl once per process (every user of curl here calls it
// before its first handle).
void EnsureCurlInitialized();

// localhost, 127.0.0.0/8 and ::1: where plain-text traffic cannot leave the
// machine.
bool IsLoopbackHost(absl::string_view host);

struct HttpPostRequest {
  std::string url;  // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/json";
  std::string body;
  absl::Duration timeout = absl::Seconds(10);
  std::string ca_file;  // empty: the system CA store
  // Longer response bodies are cut here (and the transfer stopped): only
  // the start of an error body is ever shown.
  size_t max_response_bytes = 16 * 1024;
  // Names the receiver in error messages ("slack webhook"); the URL itself
  // never appears in them.
  std::string what = "http endpoint";
  // Values removed from error messages (in addition to the URL, its path
  // and query, which are always removed).
  std::vector<std::string> secrets;
};

struct HttpPostResponse {
  int status = 0;
  std::string body;  // at most max_response_bytes
  bool body_truncated = false;
  // From Retry-After (delay-seconds or HTTP-date), if present and valid.
  std::optional<absl::Duration> retry_after;
};

// Thread-safe. Keeps up to a few idle curl handles for connection reuse.
class HttpPoster {
 public:
  // `clock` (not owned; null: RealClock) turns a Retry-After HTTP-date into a
  // delay.
  explicit HttpPoster(Clock* clock = nullptr);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // Sends the request. Any HTTP status is a response (OK); transport
  // failures (DNS, connect, TLS, timeout, reset) are UNAVAILABLE; a URL that
  // is not http(s) is FAILED_PRECONDITION.
  absl::StatusOr<HttpPostResponse> Post(const HttpPostRequest& request);

  // Post + ClassifyHttpResponse: the outcome a Notifier returns.
  absl::Status PostAndClassify(const HttpPostRequest& request);

 private:
  void* TakeHandle();
  void ReturnHandle(void* handle);

  Clock* const clock_;
  absl::Mutex mu_;
  std::vector<void*> idle_ ABSL_GUARDED_BY(mu_);  // CURL* handles
};

// The delivery outcome of an HTTP response (see notifier.h): 2xx OK; 408,
// 429 and 5xx retryable (with the response's Retry-After); 400, 413, 415 and
// 422 INVALID_ARGUMENT; other 4xx and 3xx FAILED_PRECONDITION. The message
// names `request.what`, the status and the start of the response body, with
// the request's secrets scrubbed.
absl::Status ClassifyHttpResponse(const HttpPostRequest& request,
                                  const HttpPostResponse& response);

// Retry-After as a delay: delay-seconds ("120") or an HTTP-date, which is
// relative to `now` (a date in the past means zero). nullopt if malformed.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

// `text` with every non-empty secret replaced by "****".
std::string ScrubSecrets(std::string text, const std::vector<std::string>& secrets);

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_HTTP_POST_H_
