// TOTP (RFC 6238): the six-digit codes of authenticator apps, as a second
// factor for signing in. HMAC-SHA1 over 30-second steps, the parameters
// every app uses by default.
//
// Example:
//   std::string secret = NewTotpSecret();            // base32, shown once
//   std::optional<int64_t> step = VerifyTotp(secret, "123456", now, last_step);
#ifndef UPTIME_COORDINATOR_ACCOUNTS_TOTP_H_
#define UPTIME_COORDINATOR_ACCOUNTS_TOTP_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace uptime::coordinator {

// 160 random bits (RFC 4226's recommended length), base32 without padding.
std::string NewTotpSecret();

// The code for `secret` (base32) at `time`; "" when the secret does not
// decode.
std::string TotpCode(absl::string_view secret, absl::Time time);

// The 30-second step a code belongs to.
int64_t TotpStep(absl::Time time);

// The step `code` matches, trying the current step and one on either side
// (clocks of phones drift), but none at or before `after_step`, so a code
// cannot be used twice. nullopt when it matches none.
std::optional<int64_t> VerifyTotp(absl::string_view secret, absl::string_view code,
                                  absl::Time now, int64_t after_step);

// otpauth://totp/<issuer>:<account>?secret=...&issuer=<issuer>
std::string TotpUrl(absl::string_view issuer, absl::string_view account,
                    absl::string_view secret);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ACCOUNTS_TOTP_H_
