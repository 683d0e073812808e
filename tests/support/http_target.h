// An HTTP or HTTPS server on 127.0.0.1 standing in for a monitored website;
// the test flips its behaviour while checkers probe it: up (200), down (any
// status, or closing without an answer), slow, wrong body, redirecting, and
// with a valid or expired certificate.
//
// Example:
//   auto target = HttpTarget::Start();
//   ASSERT_TRUE(target.ok()) << target.status();
//   monitor.url = (*target)->url("/health");
//   (*target)->SetStatus(503);                    // the site goes down
//   (*target)->SetDelay(absl::Seconds(3));        // or gets slow
//
// Thread-safety: every method may be called from any thread while requests
// are served; a change applies to requests read after it.

#ifndef UPTIME_TESTS_SUPPORT_HTTP_TARGET_H_
#define UPTIME_TESTS_SUPPORT_HTTP_TARGET_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/support/http_server.h"

namespace uptime::testing {

struct HttpTargetOptions {
  bool tls = false;
  // Validity of the self-signed certificate when tls (CN=localhost).
  absl::Time cert_not_before = absl::Now() - absl::Hours(24);
  absl::Time cert_not_after = absl::Now() + absl::Hours(24 * 365);
};

class HttpTarget {
 public:
  using Options = HttpTargetOptions;

  // At most this many requests are kept for requests(); request_count()
  // counts them all.
  static constexpr size_t kMaxRecorded = 10000;

  static absl::StatusOr<std::unique_ptr<HttpTarget>> Start(
      const HttpTargetOptions& options = {});

  HttpTarget(const HttpTarget&) = delete;
  HttpTarget& operator=(const HttpTarget&) = delete;
  ~HttpTarget();

  // "http://127.0.0.1:PORT/path" (https when tls). `path` should start
  // with '/'; one is added if it does not.
  std::string url(absl::string_view path = "/") const;
  int port() const;
  // The certificate (PEM file) to trust when tls; empty otherwise.
  std::string cert_path() const;

  // Status code of every answer; default 200.
  void SetStatus(int status);
  // Body of every answer; default "OK uptime-target".
  void SetBody(std::string body);
  // Delay before each answer; other connections are not held up.
  void SetDelay(absl::Duration delay);
  // Adds (or replaces) a response header.
  void SetHeader(std::string name, std::string value);
  // When true, each request is read and the connection closed unanswered.
  void SetCloseWithoutResponse(bool close);
  // Non-empty: answer 302 with this Location (status and body are
  // ignored). Empty: stop redirecting.
  void SetRedirect(std::string location);

  // Requests received so far (including unanswered ones).
  int64_t request_count() const;
  // The most recent kMaxRecorded requests, oldest first.
  std::vector<RecordedRequest> requests() const;

 private:
  HttpTarget() = default;
  HttpReply Handle(RecordedRequest request);

  mutable absl::Mutex mu_;
  int status_ ABSL_GUARDED_BY(mu_) = 200;
  std::string body_ ABSL_GUARDED_BY(mu_) = "OK uptime-target";
  absl::Duration delay_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  std::vector<std::pair<std::string, std::string>> headers_
      ABSL_GUARDED_BY(mu_);
  bool close_without_response_ ABSL_GUARDED_BY(mu_) = false;
  std::string redirect_ ABSL_GUARDED_BY(mu_);
  std::deque<RecordedRequest> recorded_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> request_count_{0};

  // Last: stopped (and its threads joined) before the state above goes.
  std::unique_ptr<HttpServer> server_;
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_HTTP_TARGET_H_
