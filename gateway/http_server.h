// HttpServer: the gateway's asynchronous HTTP/1.1 listener (Boost.Beast);
// each connection is served by a session (http_session.h).
//
// `threads` io_contexts, one thread each, each with its own acceptor on the
// same port (SO_REUSEPORT: the kernel spreads connections, no shared accept
// queue or lock). One session per connection, never leaving its io_context,
// so a session needs no strand.
//
// Limits keep a hostile or broken client from holding resources: header and
// body sizes (431 / 413), a deadline for the request head counting from when
// the connection became idle (a slowloris client is cut off, never holds a
// worker because nothing blocks), a deadline for the body, a write deadline,
// and a cap on open connections (past it new ones are closed at once).
// Malformed requests get a 4xx and the connection is closed.
//
// Thread-safety: Start()/Stop() from one thread. The handler is called on
// the io threads and may answer from any thread.
#ifndef UPTIME_GATEWAY_HTTP_SERVER_H_
#define UPTIME_GATEWAY_HTTP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "gateway/http_types.h"
#include "gateway/server_tls.h"  // ValidateServerTls, for --check-config

namespace uptime::gateway {

struct HttpServerOptions {
  std::string listen = "0.0.0.0:8080";  // port 0: a free one
  int threads = 1;
  ServerTlsOptions tls;  // cert + key: HTTPS
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  int max_connections = 10'000;
  absl::Duration idle_timeout = absl::Seconds(60);  // waiting for + reading a request head
  absl::Duration read_timeout = absl::Seconds(10);  // reading a body
  absl::Duration write_timeout = absl::Seconds(30);
  absl::Duration sse_heartbeat = absl::Seconds(15);
  size_t sse_max_queued = 256;  // frames queued for one client before it is dropped
  // Added to every response (security headers).
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpServerStats {
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> rejected_connections{0};
  std::atomic<int64_t> malformed_requests{0};
  std::atomic<int64_t> sse_clients{0};
  std::atomic<int64_t> sse_dropped_slow{0};
};

class HttpServer {
 public:
  // INVALID_ARGUMENT naming the flag for a bad address or TLS file.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(HttpServerOptions options,
                                                            HttpHandler* handler);
  ~HttpServer();

  // Binds and starts the threads; UNAVAILABLE when the port cannot be bound.
  absl::Status Start();
  void Stop();

  int port() const { return port_; }
  const HttpServerStats& stats() const { return stats_; }

 private:
  struct Impl;
  HttpServer(HttpServerOptions options, HttpHandler* handler);

  const HttpServerOptions options_;
  HttpHandler* const handler_;
  HttpServerStats stats_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_HTTP_SERVER_H_
