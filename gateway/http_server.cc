#include "gateway/http_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <functional>

#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "common/config.h"
#include "gateway/http_session.h"
#include "gateway/memfd_body_cache.h"

namespace uptime::gateway {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  struct Worker {
    MemfdBodyCache bodies;  // this thread's sessions only; outlives them
    asio::io_context io{1};
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<asio::steady_timer> retry;  // after an accept error
    std::thread thread;
  };
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<asio::ssl::context> ssl;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler* handler)
    : options_(std::move(options)), handler_(handler), impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(HttpServerOptions options,
                                                               HttpHandler* handler) {
  absl::StatusOr<HostPort> hp = ParseHostPort("--listen", options.listen, /*allow_port_zero=*/true);
  if (!hp.ok()) return hp.status();
  boost::system::error_code ec;
  asio::ip::make_address(hp->host == "localhost" ? "127.0.0.1" : hp->host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: '", hp->host, "' is not an IP address"));
  }
  if (options.threads < 1 || options.threads > 256) {
    return absl::InvalidArgumentError("--threads: must be 1..256");
  }
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options), handler));
  if (server->options_.tls.enabled()) {
    absl::StatusOr<std::unique_ptr<asio::ssl::context>> ssl =
        MakeServerTlsContext(server->options_.tls);
    if (!ssl.ok()) return ssl.status();
    server->impl_->ssl = *std::move(ssl);
  }
  return server;
}

absl::Status HttpServer::Start() {
  HostPort hp = *ParseHostPort("--listen", options_.listen, true);
  const auto address = asio::ip::make_address(hp.host == "localhost" ? "127.0.0.1" : hp.host);
  int port = hp.port;
  for (int i = 0; i < options_.threads; ++i) {
    auto worker = std::make_unique<Impl::Worker>();
    worker->acceptor = std::make_unique<tcp::acceptor>(worker->io);
    worker->retry = std::make_unique<asio::steady_timer>(worker->io);
    tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    boost::system::error_code ec;
    worker->acceptor->open(endpoint.protocol(), ec);
    if (!ec) worker->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every worker accepts on the same port; the kernel balances.
      int one = 1;
      if (setsockopt(worker->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one,
                     sizeof(one)) != 0) {
        ec = boost::system::error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) worker->acceptor->bind(endpoint, ec);
    if (!ec) worker->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      impl_->workers.clear();  // no thread runs yet
      return absl::UnavailableError(
          absl::StrCat("--listen: cannot listen on ", options_.listen, ": ", ec.message()));
    }
    port = worker->acceptor->local_endpoint().port();
    impl_->workers.push_back(std::move(worker));
  }
  port_ = port;
  for (auto& worker : impl_->workers) {
    Impl::Worker* w = worker.get();
    auto accept = std::make_shared<std::function<void()>>();
    *accept = [this, w, weak = std::weak_ptr<std::function<void()>>(accept)] {
      w->acceptor->async_accept(w->io, [this, w, weak](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
          if (stats_.connections.load() >= options_.max_connections) {
            stats_.rejected_connections.fetch_add(1);
            boost::system::error_code ignored;
            socket.close(ignored);
          } else {
            stats_.connections.fetch_add(1);
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            const SessionDeps deps{&options_, handler_, &stats_};
            if (impl_->ssl != nullptr) {
              StartTlsSession(std::move(socket), deps, *impl_->ssl);
            } else {
              StartPlainSession(std::move(socket), deps, &w->bodies);
            }
          }
        }
        auto next = weak.lock();
        if (next == nullptr) return;
        if (ec) {
          // Out of descriptors, typically: retry shortly instead of spinning.
          w->retry->expires_after(std::chrono::milliseconds(100));
          w->retry->async_wait([next](boost::system::error_code) { (*next)(); });
          return;
        }
        (*next)();
      });
    };
    w->thread = std::thread([w, accept] {
      (*accept)();
      w->io.run();
    });
  }
  return absl::OkStatus();
}

// The io_contexts live on until destruction: answers from gRPC callbacks
// may still be posted to them.
void HttpServer::Stop() {
  for (auto& worker : impl_->workers) worker->io.stop();
  for (auto& worker : impl_->workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

}  // namespace uptime::gateway
