#include "coordinator/accounts/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/auth.h"

namespace uptime::coordinator {
namespace {

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string Base32Encode(const unsigned char* data, size_t n) {
  std::string out;
  int buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
  return out;
}

// Apps show secrets in groups and lower case; both are accepted.
std::optional<std::vector<unsigned char>> Base32Decode(absl::string_view text) {
  std::vector<unsigned char> out;
  int buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '=' || c == '-') continue;
    c = absl::ascii_toupper(static_cast<unsigned char>(c));
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= '2' && c <= '7') {
      v = c - '2' + 26;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<unsigned char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string CodeAt(const std::vector<unsigned char>& key, int64_t step) {
  unsigned char counter[8];
  for (int i = 7; i >= 0; --i) {
    counter[i] = static_cast<unsigned char>(step & 0xff);
    step >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), counter, sizeof(counter), mac,
       &mac_len);
  // RFC 4226 dynamic truncation.
  const int offset = mac[mac_len - 1] & 0x0f;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                          static_cast<uint32_t>(mac[offset + 3]);
  return absl::StrFormat("%06u", binary % 1000000);
}

std::string UrlEscape(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += absl::StrFormat("%%%02X", c);
    }
  }
  return out;
}

}  // namespace

std::string NewTotpSecret() {
  unsigned char bytes[20];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return Base32Encode(bytes, sizeof(bytes));
}

int64_t TotpStep(absl::Time time) { return absl::ToUnixSeconds(time) / 30; }

std::string TotpCode(absl::string_view secret, absl::Time time) {
  std::optional<std::vector<unsigned char>> key = Base32Decode(secret);
  if (!key.has_value()) return "";
  return CodeAt(*key, TotpStep(time));
}

std::optional<int64_t> VerifyTotp(absl::string_view secret, absl::string_view code,
                                  absl::Time now, int64_t after_step) {
  std::optional<std::vector<unsigned char>> key = Base32Decode(secret);
  if (!key.has_value() || code.size() != 6) return std::nullopt;
  const int64_t current = TotpStep(now);
  std::optional<int64_t> matched;
  // Every candidate is computed and compared in constant time, so the
  // answer's timing says nothing about which step matched.
  for (int64_t step = current - 1; step <= current + 1; ++step) {
    if (ConstantTimeEquals(CodeAt(*key, step), code) && step > after_step && !matched) {
      matched = step;
    }
  }
  return matched;
}

std::string TotpUrl(absl::string_view issuer, absl::string_view account,
                    absl::string_view secret) {
  return absl::StrCat("otpauth://totp/", UrlEscape(issuer), ":", UrlEscape(account),
                      "?secret=", secret, "&issuer=", UrlEscape(issuer),
                      "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace uptime::coordinator
