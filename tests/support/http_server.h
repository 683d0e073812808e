// The small HTTP/1.1 server under HttpTarget and WebhookSink: Boost.Beast on
// its own io_context threads, plain or TLS, on 127.0.0.1 and a kernel-picked
// port.
//
// The server knows nothing about test behaviour: for every request it calls
// one Handler and does what the returned HttpReply says (status, body,
// headers, a delay before answering, or closing without an answer). Each
// connection is one asynchronous chain (read, handle, maybe wait on a timer,
// write, read...), so a delayed answer holds no thread and thousands of
// connections need no more than the pool's threads.
//
// Thread-safety: the Handler is called concurrently from the pool threads
// and must not block; everything else may be called from any thread.

#ifndef UPTIME_TESTS_SUPPORT_HTTP_SERVER_H_
#define UPTIME_TESTS_SUPPORT_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_certs.h"

namespace uptime::testing {

// One request as the server received it.
struct RecordedRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // Path and query, e.g. "/hook?x=1".
  std::vector<std::pair<std::string, std::string>> headers;  // In order.
  std::string body;
  absl::Time received;

  // Value of the first header named `name` (case-insensitive), or "".
  std::string Header(absl::string_view name) const;
};

// What to do with one request.
struct HttpReply {
  int status = 200;
  std::string body;
  // Sent as given; a Content-Type here replaces the text/plain default.
  std::vector<std::pair<std::string, std::string>> headers;
  // Waited (on a timer, no thread blocked) before answering or closing.
  absl::Duration delay = absl::ZeroDuration();
  // Close the connection instead of answering: the client sees an empty
  // reply (plain) or a truncated stream (TLS).
  bool close_without_response = false;
};

struct HttpServerOptions {
  // Serve HTTPS with a fresh self-signed certificate for localhost and
  // 127.0.0.1 (see MakeSelfSignedCert), valid over this window.
  bool tls = false;
  absl::Time cert_not_before = absl::Now() - absl::Hours(24);
  absl::Time cert_not_after = absl::Now() + absl::Hours(24 * 365);
  int threads = 2;
  size_t max_body_bytes = 1 << 20;  // Larger bodies drop the connection.
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply(RecordedRequest)>;

  // Binds 127.0.0.1:0 and starts serving `handler`.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const HttpServerOptions& options, Handler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops the threads and closes every connection.
  ~HttpServer();

  int port() const { return port_; }
  // "http(s)://127.0.0.1:PORT" + `path` ('/' added in front if missing).
  std::string url(absl::string_view path) const;
  // The certificate (PEM file) a client should trust; empty unless tls.
  std::string cert_path() const;

 private:
  class Impl;
  HttpServer() = default;

  // Declared before impl_: the files outlive the threads serving them.
  std::optional<TempDir> cert_dir_;
  std::optional<CertPair> cert_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_HTTP_SERVER_H_
