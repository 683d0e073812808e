#include "common/metrics_server.h"

#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "common/config.h"
#include "common/flags.h"

namespace uptime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// One connection; Stream is beast::tcp_stream or an ssl_stream over one.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Args>
  Session(const MetricsServerOptions* options, Args&&... args)
      : stream_(std::forward<Args>(args)...), options_(options) {}

  // Plain HTTP: read at once. HTTPS: the handshake first, inside the same
  // 5 s budget, so a silent client cannot hold a connection open.
  void Begin() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      Start();
    } else {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->Start();
                              });
    }
  }

 private:
  void Start() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(8 * 1024);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return;  // closed, timed out or malformed: drop the connection
    const auto& req = parser_->get();
    response_ = {};
    response_.version(req.version());
    response_.keep_alive(req.keep_alive());
    response_.set(http::field::server, "uptime-monitor");
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      Reply(http::status::method_not_allowed, "text/plain", "only GET\n");
    } else if (path == "/metrics") {
      Reply(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
            options_->registry ? options_->registry->Render() : "");
    } else if (path == "/healthz") {
      const bool ok = !options_->healthy || options_->healthy();
      Reply(ok ? http::status::ok : http::status::service_unavailable, "text/plain",
            ok ? "ok\n" : "unhealthy\n");
    } else if (path == "/readyz") {
      const bool ok = !options_->ready || options_->ready();
      Reply(ok ? http::status::ok : http::status::service_unavailable, "text/plain",
            ok ? "ready\n" : "not ready\n");
    } else {
      Reply(http::status::not_found, "text/plain", "not found\n");
    }
  }

  void Reply(http::status status, const char* type, std::string body) {
    response_.result(status);
    response_.set(http::field::content_type, type);
    response_.body() = std::move(body);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (!ec && self->response_.keep_alive()) self->Start();
                      });
  }

  Stream stream_;
  const MetricsServerOptions* options_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

void AddMetricsTlsFlags(CLI::App& app, ServerTlsOptions& tls) {
  AddFlag(app, "metrics-tls-cert", tls.cert_file,
          "PEM certificate: serve /metrics, /healthz and /readyz over HTTPS");
  AddFlag(app, "metrics-tls-key", tls.key_file, "PEM private key of --metrics-tls-cert");
  AddFlag(app, "metrics-tls-client-ca", tls.client_ca_file,
          "PEM CA bundle: require scrapers to present a certificate it signed (mutual TLS)");
}

// The TLS context of `tls`, or INVALID_ARGUMENT naming the flag.
absl::StatusOr<std::unique_ptr<asio::ssl::context>> MakeSslContext(const ServerTlsOptions& tls,
                                                                   const std::string& flag_prefix);

absl::Status ValidateMetricsTls(const ServerTlsOptions& tls) {
  if (!tls.enabled() && tls.client_ca_file.empty()) return absl::OkStatus();
  return MakeSslContext(tls, "metrics-").status();
}

absl::StatusOr<std::unique_ptr<asio::ssl::context>> MakeSslContext(const ServerTlsOptions& tls,
                                                                   const std::string& flag_prefix) {
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag_prefix, "tls-cert and --", flag_prefix, "tls-key must be given together"));
  }
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  struct File {
    const std::string* path;
    const char* flag;
  };
  for (const File& f : {File{&tls.cert_file, "tls-cert"}, File{&tls.key_file, "tls-key"},
                        File{&tls.client_ca_file, "tls-client-ca"}}) {
    if (f.path->empty()) continue;
    absl::StatusOr<std::string> pem = ReadPemFile(*f.path, absl::StrCat("--", flag_prefix, f.flag));
    if (!pem.ok()) return pem.status();
  }
  beast::error_code ec;
  ctx->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag_prefix, "tls-cert: not a PEM certificate chain: ", ec.message()));
  }
  ctx->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag_prefix, "tls-key: not a PEM private key matching the certificate: ",
        ec.message()));
  }
  if (!tls.client_ca_file.empty()) {
    ctx->load_verify_file(tls.client_ca_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag_prefix, "tls-client-ca: not a PEM CA bundle: ", ec.message()));
    }
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

struct MetricsServer::Impl {
  MetricsServerOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::unique_ptr<asio::ssl::context> ssl;  // null: plain HTTP
  std::thread thread;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        if (ssl != nullptr) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
              &options, std::move(socket), *ssl)
              ->Begin();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(&options, std::move(socket))->Begin();
        }
      }
      Accept();
    });
  }
};

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(MetricsServerOptions options) {
  auto hp = ParseHostPort("--metrics-listen", options.listen, /*allow_port_zero=*/true);
  if (!hp.ok()) return hp.status();
  auto impl = std::make_unique<Impl>();
  if (options.tls.enabled() || !options.tls.client_ca_file.empty()) {
    absl::StatusOr<std::unique_ptr<asio::ssl::context>> ssl =
        MakeSslContext(options.tls, "metrics-");
    if (!ssl.ok()) return ssl.status();
    impl->ssl = *std::move(ssl);
  }
  impl->options = std::move(options);
  beast::error_code ec;
  const auto address = asio::ip::make_address(hp->host == "localhost" ? "127.0.0.1" : hp->host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics-listen: '", hp->host, "' is not an IP address"));
  }
  tcp::endpoint endpoint(address, static_cast<uint16_t>(hp->port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("--metrics-listen: cannot listen on ", impl->options.listen, ": ", ec.message()));
  }
  impl->Accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int MetricsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace uptime
