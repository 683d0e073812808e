// `webhook`: POSTs the alert as JSON (alert_json.h, schema version 1) to any
// HTTP(S) endpoint, signed so the receiver can tell it came from us.
//
// Config:
//   url     (required) http:// or https:// (internal receivers may be plain)
//   secret  (optional, secret) HMAC key, at least 16 characters; without it
//           no signature is sent
//
// Headers:
//   Content-Type: application/json
//   X-Uptime-Event: <kind>               ("down", "recovered", ...)
//   X-Uptime-Timestamp: <unix seconds>   (equals the body's "sent_at")
//   X-Uptime-Signature: sha256=<hex>     HMAC-SHA256(secret, raw body bytes),
//                                        lower-case hex
// The timestamp is inside the signed body too ("sent_at"), so a receiver
// that rejects old timestamps also defeats replays of captured requests.
//
// Receiver check (any language): hex(hmac_sha256(secret, body)) ==
// header value after "sha256=", compared in constant time.
#ifndef UPTIME_COORDINATOR_NOTIFIERS_WEBHOOK_H_
#define UPTIME_COORDINATOR_NOTIFIERS_WEBHOOK_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "coordinator/notifiers/notifier.h"

namespace uptime::notifiers {

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view data);

std::unique_ptr<NotifierFactory> MakeWebhookFactory();

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_WEBHOOK_H_
