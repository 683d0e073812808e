// The request and response the gateway's handlers see, independent of the
// connection (plain or TLS) that carries them.
#ifndef UPTIME_GATEWAY_HTTP_TYPES_H_
#define UPTIME_GATEWAY_HTTP_TYPES_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "boost/beast/http/verb.hpp"
#include "gateway/event_hub.h"

namespace uptime::gateway {

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string path;   // still percent-encoded
  std::string query;  // after '?', still encoded
  std::string authorization;
  std::string content_type;
  std::string if_none_match;
  std::string accept_encoding;
  std::string last_event_id;
  // Every Cookie header, joined with "; ".
  std::string cookie;
  std::string csrf_token;  // X-CSRF-Token
  std::string origin;
  std::string host;
  std::string forwarded_for;    // X-Forwarded-For, as sent
  std::string forwarded_proto;  // X-Forwarded-Proto, as sent
  // The TCP peer's IP address (no port); empty when unknown.
  std::string peer_address;
  bool tls = false;  // arrived over HTTPS
  std::string body;
};

// Starts a server-sent event stream: the session calls Attach() with itself
// once the response headers are written, and Detach() when the client goes.
class SseSource {
 public:
  virtual ~SseSource() = default;
  virtual void Attach(std::weak_ptr<SseSink> sink) = 0;
  virtual void Detach() = 0;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Set: the body instead of `body`, shared (e.g. with a cache) and sent
  // without a copy. Never modified once set.
  std::shared_ptr<const std::string> shared_body;
  // Replace the server's headers of the same name, except Set-Cookie,
  // which may appear several times.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set: the response is an event stream fed by this source.
  std::shared_ptr<SseSource> sse;
};

// Called exactly once per request, from any thread.
using Respond = std::function<void(HttpResponse)>;

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Handles `request`; the handler may answer later from another thread.
  // `route` receives the route name for metrics.
  virtual void Handle(HttpRequest request, Respond respond) = 0;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_HTTP_TYPES_H_
