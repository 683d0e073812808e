// The HTTPS listener's TLS context: the certificate chain and private key
// from PEM files (--tls-cert, --tls-key), TLS 1.2 and later only.
//
// Thread-safety: pure functions; the context they make is shared by every
// TLS session of the server, read-only.
#ifndef UPTIME_GATEWAY_SERVER_TLS_H_
#define UPTIME_GATEWAY_SERVER_TLS_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/tls.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace uptime::gateway {

// The server context for `tls` (cert and key both set), or INVALID_ARGUMENT
// naming --tls-cert or --tls-key.
absl::StatusOr<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const ServerTlsOptions& tls);

// The same check without keeping the context; OK when TLS is off. Exposed
// for --check-config.
absl::Status ValidateServerTls(const ServerTlsOptions& tls);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_SERVER_TLS_H_
