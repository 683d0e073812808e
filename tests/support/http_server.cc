#include "tests/support/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace uptime::testing {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

std::string RecordedRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

namespace {

// Bounds the TLS handshake and close_notify exchange, so a client that goes
// quiet cannot pin a connection forever. Plain reads have no timeout: an
// idle keep-alive connection is legitimate and ends with the server.
constexpr auto kTlsTimeout = std::chrono::seconds(10);

using Handler = HttpServer::Handler;

RecordedRequest ToRecorded(http::request<http::string_body>& req) {
  RecordedRequest rec;
  rec.method = std::string(req.method_string());
  rec.target = std::string(req.target());
  for (const auto& field : req) {
    rec.headers.emplace_back(std::string(field.name_string()),
                             std::string(field.value()));
  }
  rec.body = std::move(req.body());
  rec.received = absl::Now();
  return rec;
}

// One connection: a chain of asynchronous steps, each holding a shared_ptr to
// the session, so it lives exactly as long as an operation is pending. Only
// one step is in flight at a time, which serializes access to the members
// without a lock.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... StreamArgs>
  Session(const Handler& handler, size_t max_body, StreamArgs&&... args)
      : stream_(std::forward<StreamArgs>(args)...),
        handler_(handler),
        max_body_(max_body),
        timer_(stream_.get_executor()) {}

  void Run() {
    // Enter the connection's strand before touching the stream.
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this()] { self->Begin(); });
  }

 private:
  void Begin() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(kTlsTimeout);
      stream_.async_handshake(
          net::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) return self->Drop();
            beast::get_lowest_layer(self->stream_).expires_never();
            self->Read();
          });
    } else {
      Read();
    }
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(max_body_);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](
                         beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return Close();
    if (ec) return Drop();  // Includes bodies over the limit.
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    reply_ = handler_(ToRecorded(req));
    if (reply_.delay <= absl::ZeroDuration()) return Respond();
    timer_.expires_after(absl::ToChronoNanoseconds(reply_.delay));
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->Drop();
      self->Respond();
    });
  }

  void Respond() {
    if (reply_.close_without_response) return Drop();
    res_ = {};
    res_.version(version_);
    // Beast throws on codes it cannot write; a test asking for one is a bug
    // in the test, answered as a server error rather than a crash.
    const bool valid = reply_.status >= 100 && reply_.status <= 999;
    res_.result(valid ? static_cast<unsigned>(reply_.status) : 500u);
    res_.set(http::field::server, "uptime-test");
    res_.set(http::field::content_type, "text/plain; charset=utf-8");
    for (const auto& [key, value] : reply_.headers) res_.set(key, value);
    res_.keep_alive(keep_alive_);
    if (head_) {
      res_.content_length(reply_.body.size());
    } else {
      res_.body() = std::move(reply_.body);
      res_.prepare_payload();
    }
    http::async_write(
        stream_, res_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->Drop();
          if (!self->keep_alive_) return self->Close();
          self->Read();
        });
  }

  // Orderly end: TLS close_notify, or FIN on plain TCP.
  void Close() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(kTlsTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](
                                 beast::error_code) { self->Drop(); });
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  // Abrupt end; the socket is released with the last reference.
  void Drop() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  Stream stream_;
  const Handler& handler_;  // Owned by the server, which outlives sessions.
  const size_t max_body_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  HttpReply reply_;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, Handler handler)
      : options_(options),
        handler_(std::move(handler)),
        ioc_(options.threads),
        acceptor_(ioc_) {}

  ~Impl() {
    // Stopping first means no handler runs during destruction; pending
    // sessions (and their sockets) are then freed with ioc_.
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
  }

  // Starts serving; `cert` is required when options.tls.
  absl::StatusOr<int> Listen(const CertPair* cert) {
    beast::error_code ec;
    if (options_.tls) {
      ssl_ctx_.emplace(net::ssl::context::tls_server);
      ssl_ctx_->use_certificate_chain(net::buffer(cert->cert_pem), ec);
      if (!ec) {
        ssl_ctx_->use_private_key(net::buffer(cert->key_pem),
                                  net::ssl::context::pem, ec);
      }
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat("TLS certificate/key: ", ec.message()));
      }
    }
    const tcp::endpoint endpoint(net::ip::make_address_v4("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    tcp::endpoint bound;
    if (!ec) bound = acceptor_.local_endpoint(ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("listen on 127.0.0.1: ", ec.message()));
    }
    Accept();
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return bound.port();
  }

 private:
  // One accept in flight at a time; each connection gets its own strand.
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           [this](beast::error_code ec, tcp::socket socket) {
                             if (ec == net::error::operation_aborted) return;
                             if (!ec) StartSession(std::move(socket));
                             Accept();
                           });
  }

  void StartSession(tcp::socket socket) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (ssl_ctx_.has_value()) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          handler_, options_.max_body_bytes, std::move(socket), *ssl_ctx_)
          ->Run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(
          handler_, options_.max_body_bytes, std::move(socket))
          ->Run();
    }
  }

  // Declaration order is destruction order in reverse: sessions die with
  // ioc_, before the TLS context and the handler they refer to.
  const HttpServerOptions options_;
  const Handler handler_;
  std::optional<net::ssl::context> ssl_ctx_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerOptions& options, Handler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  if (options.tls) {
    absl::StatusOr<TempDir> dir = TempDir::Create("uptime-http-");
    if (!dir.ok()) return dir.status();
    absl::StatusOr<CertPair> cert =
        MakeSelfSignedCert("localhost", options.cert_not_before,
                           options.cert_not_after, dir->path());
    if (!cert.ok()) return cert.status();
    server->cert_dir_.emplace(*std::move(dir));
    server->cert_.emplace(*std::move(cert));
  }
  server->impl_ = std::make_unique<Impl>(options, std::move(handler));
  absl::StatusOr<int> port =
      server->impl_->Listen(server->cert_ ? &*server->cert_ : nullptr);
  if (!port.ok()) return port.status();
  server->port_ = *port;
  return server;
}

HttpServer::~HttpServer() = default;

std::string HttpServer::url(absl::string_view path) const {
  return absl::StrCat(cert_.has_value() ? "https" : "http",
                      "://127.0.0.1:", port_,
                      absl::StartsWith(path, "/") ? "" : "/", path);
}

std::string HttpServer::cert_path() const {
  return cert_.has_value() ? cert_->cert_path : "";
}

}  // namespace uptime::testing
