// One HTTP/1.1 connection of the gateway's server (http_server.h): reads
// requests with Boost.Beast's parser, hands them to the HttpHandler, and
// writes the answers, keeping the connection alive between them; or turns
// it into a server-sent event stream.
//
// The request path is kept short because the gateway answers most reads
// from memory: the response head is formatted directly (response_head.h)
// and, on plain HTTP, written with one non-blocking send together with a
// small body before any asynchronous write is set up; large shared bodies
// go out with sendfile(2) from memory files (memfd_body_cache.h); an answer
// given on the io thread is written at once instead of being queued; and
// the idle deadline of a kept-alive connection is one lazily re-armed
// timer rather than a timer per request.
//
// Thread-safety: a session lives on one io_context thread; the handler may
// answer from any thread (the answer is then posted to the session's).
#ifndef UPTIME_GATEWAY_HTTP_SESSION_H_
#define UPTIME_GATEWAY_HTTP_SESSION_H_

#include "boost/asio/ip/tcp.hpp"
#include "gateway/http_server.h"
#include "gateway/http_types.h"
#include "gateway/memfd_body_cache.h"
#include "gateway/server_tls.h"  // boost::asio::ssl::context, declared

namespace uptime::gateway {

// What every session of one server shares; outlives the sessions.
struct SessionDeps {
  const HttpServerOptions* options = nullptr;
  HttpHandler* handler = nullptr;
  HttpServerStats* stats = nullptr;  // the session counts itself in `connections`
};

// Serves the plain-HTTP connection `socket` until it closes. `bodies`: the
// calling io thread's memory files (the session never leaves that thread).
// The caller has already counted the connection in stats->connections.
void StartPlainSession(boost::asio::ip::tcp::socket socket, const SessionDeps& deps,
                       MemfdBodyCache* bodies);

// The same over TLS with `ssl`, after a handshake within the read timeout.
void StartTlsSession(boost::asio::ip::tcp::socket socket, const SessionDeps& deps,
                     boost::asio::ssl::context& ssl);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_HTTP_SESSION_H_
