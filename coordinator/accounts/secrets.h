// The secrets of accounts: passwords (Argon2id) and random credentials
// (API keys, session tokens) stored as SHA-256 digests.
//
// Why two hashes: a password is chosen by a person and may be guessed, so it
// is hashed with a slow, memory-hard function; a key or session token is 256
// random bits that no one can guess, so a fast digest is safe and lets every
// API call be checked from memory by hash lookup.
//
// Example:
//   ASSIGN_OR_RETURN(std::string stored, HashPassword("correct horse battery"));
//   bool ok = VerifyPassword(stored, attempt);
//   std::string key = NewCredential("uk_");      // shown once
//   std::string digest = CredentialDigest(key);  // stored
#ifndef UPTIME_COORDINATOR_ACCOUNTS_SECRETS_H_
#define UPTIME_COORDINATOR_ACCOUNTS_SECRETS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime::coordinator {

// Argon2id cost. The defaults are OWASP's recommendation for Argon2id
// (19 MiB, 2 passes, 1 lane: about 20-40 ms per hash on one core here);
// tests use a cheaper setting.
struct PasswordCost {
  uint32_t memory_kib = 19 * 1024;
  uint32_t passes = 2;
  uint32_t lanes = 1;
};

// The encoded form ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>") with a
// fresh 16-byte salt. INTERNAL only if the library fails.
absl::StatusOr<std::string> HashPassword(absl::string_view password,
                                         const PasswordCost& cost = {});
// True when `password` matches `encoded` (any cost; the cost is in it).
bool VerifyPassword(absl::string_view encoded, absl::string_view password);

// INVALID_ARGUMENT naming `field` unless 12..1024 bytes (protobuf has
// checked that it is UTF-8).
absl::Status ValidatePassword(absl::string_view field, absl::string_view password);

// `prefix` + 43 characters of base64url: 256 bits from the OS's CSPRNG.
std::string NewCredential(absl::string_view prefix);
// Lower-case hex SHA-256 of `credential`.
std::string CredentialDigest(absl::string_view credential);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ACCOUNTS_SECRETS_H_
