#include "coordinator/accounts/secrets.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace uptime::coordinator {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

void RandomBytes(unsigned char* out, size_t n) {
  // RAND_bytes fails only when the OS cannot seed it; continuing with
  // predictable secrets would be worse than stopping.
  if (RAND_bytes(out, static_cast<int>(n)) != 1) std::abort();
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password, const PasswordCost& cost) {
  unsigned char salt[kSaltBytes];
  RandomBytes(salt, sizeof(salt));
  const size_t encoded_len = argon2_encodedlen(cost.passes, cost.memory_kib, cost.lanes,
                                               kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc = argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes, password.data(),
                                 password.size(), salt, sizeof(salt), kHashBytes, encoded.data(),
                                 encoded.size());
  if (rc != ARGON2_OK) {
    return absl::InternalError(absl::StrCat("argon2id: ", argon2_error_message(rc)));
  }
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

bool VerifyPassword(absl::string_view encoded, absl::string_view password) {
  if (encoded.empty()) return false;
  std::string z(encoded);  // argon2 wants a NUL-terminated string
  // Compares in constant time inside the library.
  return argon2id_verify(z.c_str(), password.data(), password.size()) == ARGON2_OK;
}

absl::Status ValidatePassword(absl::string_view field, absl::string_view password) {
  if (password.size() < 12) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be at least 12 characters (a passphrase of a few words works)"));
  }
  if (password.size() > 1024) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be at most 1024 characters"));
  }
  return absl::OkStatus();
}

std::string NewCredential(absl::string_view prefix) {
  unsigned char bytes[32];
  RandomBytes(bytes, sizeof(bytes));
  std::string encoded;
  absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)), &encoded);
  return absl::StrCat(prefix, encoded);
}

std::string CredentialDigest(absl::string_view credential) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(credential.data()), credential.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace uptime::coordinator
