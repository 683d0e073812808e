#include "gateway/server_tls.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/ssl.hpp"

namespace uptime::gateway {

namespace asio = boost::asio;

absl::StatusOr<std::unique_ptr<asio::ssl::context>> MakeServerTlsContext(
    const ServerTlsOptions& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        tls.cert_file.empty() ? "--tls-cert is required with --tls-key"
                              : "--tls-key is required with --tls-cert");
  }
  for (const auto& [path, flag] : {std::pair{&tls.cert_file, "--tls-cert"},
                                   std::pair{&tls.key_file, "--tls-key"}}) {
    absl::StatusOr<std::string> pem = ReadPemFile(*path, flag);
    if (!pem.ok()) return pem.status();
  }
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-cert: not a PEM certificate chain: ", ec.message()));
  }
  ctx->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key: not a PEM private key matching --tls-cert: ", ec.message()));
  }
  return ctx;
}

absl::Status ValidateServerTls(const ServerTlsOptions& tls) {
  if (!tls.enabled()) return absl::OkStatus();
  return MakeServerTlsContext(tls).status();
}

}  // namespace uptime::gateway
