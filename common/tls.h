// TLS and mutual-TLS credentials for gRPC listeners and clients, loaded from
// PEM files named by flags (or mounted secrets).
#ifndef UPTIME_COMMON_TLS_H_
#define UPTIME_COMMON_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace uptime {

struct ServerTlsOptions {
  std::string cert_file;       // --tls-cert
  std::string key_file;        // --tls-key
  std::string client_ca_file;  // --tls-client-ca: when set, clients must
                               // present a certificate it signed (mTLS)
  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

struct ClientTlsOptions {
  bool enabled = false;        // --tls
  std::string ca_file;         // --tls-ca: trust roots (default: system roots)
  std::string cert_file;       // --tls-cert: client certificate for mTLS
  std::string key_file;        // --tls-key
  std::string server_name;     // --tls-server-name: override for verification
};

// Insecure credentials when TLS is off; INVALID_ARGUMENT naming the flag when
// a file is missing, unreadable, or only one of cert/key is given.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options);

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsOptions& options);

// Channel arguments for `options` (server name override) plus keepalive
// settings suited to long-lived streams.
grpc::ChannelArguments MakeChannelArguments(const ClientTlsOptions& options);

// Reads a whole (small) file; INVALID_ARGUMENT naming `flag` on failure.
absl::StatusOr<std::string> ReadPemFile(const std::string& path, const std::string& flag);

}  // namespace uptime

#endif  // UPTIME_COMMON_TLS_H_
