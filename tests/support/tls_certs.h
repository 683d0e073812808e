// Self-signed certificates for TLS tests: valid, expired, not yet valid or
// about to expire, as the test's validity window says.
//
// Each certificate is its own issuer, so a client that trusts `cert_path`
// (curl's CAINFO) verifies it; one that uses the system store rejects it.
//
// Example:
//   auto expired = MakeSelfSignedCert("localhost",
//                                     absl::Now() - absl::Hours(48),
//                                     absl::Now() - absl::Hours(24), dir);

#ifndef UPTIME_TESTS_SUPPORT_TLS_CERTS_H_
#define UPTIME_TESTS_SUPPORT_TLS_CERTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace uptime::testing {

struct CertPair {
  std::string cert_pem, key_pem;    // PEM text (key is PKCS#8).
  std::string cert_path, key_path;  // The same, written to files.
};

// An EC P-256 key and an X.509 v3 certificate for it, subject CN
// `common_name`, subjectAltName DNS:localhost and IP:127.0.0.1 (plus
// DNS:`common_name` if it is not "localhost"), valid from `not_before` to
// `not_after` (second precision). Files are created in the existing
// directory `dir` under unique names, so several pairs can share a dir.
absl::StatusOr<CertPair> MakeSelfSignedCert(absl::string_view common_name,
                                            absl::Time not_before,
                                            absl::Time not_after,
                                            absl::string_view dir);

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_TLS_CERTS_H_
