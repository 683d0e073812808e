// An HTTP(S) endpoint standing in for Slack and other webhook receivers: it
// records every request and answers from a script, so tests can check what
// an alert looked like and how the notifier retries.
//
// Example:
//   auto sink = WebhookSink::Start();
//   ASSERT_TRUE(sink.ok()) << sink.status();
//   (*sink)->ScriptResponses({{500, "boom", ""}, {429, "slow down", "1"}});
//   ... configure the notifier with (*sink)->url() ...
//   ASSERT_EVENTUALLY((*sink)->count() == 3, absl::Seconds(10));
//   EXPECT_EQ((*sink)->requests()[2].Header("Content-Type"),
//             "application/json");
//
// Thread-safety: every method may be called from any thread.

#ifndef UPTIME_TESTS_SUPPORT_WEBHOOK_SINK_H_
#define UPTIME_TESTS_SUPPORT_WEBHOOK_SINK_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "tests/support/http_server.h"

namespace uptime::testing {

// One answer to give, in order, before the default 200 "ok".
struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::string retry_after;  // Retry-After header value; empty: no header.
};

struct WebhookSinkOptions {
  // Serve HTTPS with a fresh self-signed certificate (see cert_path()).
  bool tls = false;
};

class WebhookSink {
 public:
  using Options = WebhookSinkOptions;
  // Fields: method, target, headers, body, received; Header(name) looks a
  // header up case-insensitively.
  using Request = RecordedRequest;

  static absl::StatusOr<std::unique_ptr<WebhookSink>> Start(
      const WebhookSinkOptions& options = {});

  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;
  ~WebhookSink();

  // "http://127.0.0.1:PORT/hook" (https when tls). Any path is accepted.
  std::string url(absl::string_view path = "/hook") const;
  int port() const;
  std::string cert_path() const;  // Empty unless tls.

  // Every request since start or the last Clear(), oldest first.
  std::vector<Request> requests() const;
  size_t count() const;

  // Replaces the queue of scripted answers; each request consumes one, then
  // the sink falls back to 200 "ok".
  void ScriptResponses(std::vector<ScriptedResponse> responses);
  // Forgets recorded requests. Scripted answers not yet given stay queued
  // (ScriptResponses({}) drops them).
  void Clear();

 private:
  WebhookSink() = default;
  HttpReply Handle(RecordedRequest request);

  mutable absl::Mutex mu_;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::deque<ScriptedResponse> script_ ABSL_GUARDED_BY(mu_);

  // Last: stopped before the state above goes.
  std::unique_ptr<HttpServer> server_;
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_WEBHOOK_SINK_H_
