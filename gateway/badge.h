// Badges: small SVG images ("status | up") for READMEs and wikis, and the
// same content as shields.io "endpoint" JSON for people who style their
// badges there.
//
// Text is measured with a table of Verdana 11px advance widths (the font the
// SVG names, and the one shields.io badges use), so a badge is as wide as
// its text in every browser without running a font engine on the server.
//
// Example:
//   Badge b = StateBadge(v1::STATE_UP, "api");
//   std::string svg = RenderBadgeSvg(b, BadgeStyle::kFlat);
//
// Thread-safety: pure functions.
#ifndef UPTIME_GATEWAY_BADGE_H_
#define UPTIME_GATEWAY_BADGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "uptime/v1/status.pb.h"

namespace uptime::gateway {

enum class BadgeStyle { kFlat, kFlatSquare };

struct Badge {
  std::string label;    // left, on grey
  std::string message;  // right, on `color`
  std::string color;    // "#rrggbb"
};

// "flat" or "flat-square"; INVALID_ARGUMENT naming `style` otherwise.
absl::StatusOr<BadgeStyle> ParseBadgeStyle(absl::string_view style);

// The longest label a caller may choose (?label=); longer is refused by the
// route, not cut, so a badge never says less than asked.
inline constexpr size_t kMaxBadgeLabel = 64;

// "up" green, "down" red, "maintenance" blue, "paused" grey, "pending" amber.
Badge StateBadge(v1::State state, absl::string_view label = "status");
// A status page's overall state: "operational" | "degraded" | "outage" |
// "maintenance" (anything else is shown grey as given).
Badge OverallBadge(absl::string_view overall, absl::string_view label = "status");
// "99.95%" (two decimals below 100, "100%" at 100); green from 99.9 %,
// yellow-green from 99 %, yellow from 95 %, red below. A negative percent
// means no data yet: "no data", grey.
Badge UptimeBadge(double percent, absl::string_view label);
// "123 ms" (whole ms below 10 s, then "12.3 s"); green below 300 ms, yellow
// below 1 s, orange below 3 s, red above. Negative: "no data", grey.
Badge ResponseTimeBadge(double milliseconds, absl::string_view label = "response time");

// A complete SVG document (text escaped, with a <title> for screen readers).
std::string RenderBadgeSvg(const Badge& badge, BadgeStyle style);

// shields.io endpoint JSON: {"schemaVersion":1,"label":..,"message":..,"color":..}.
std::string RenderShieldsJson(const Badge& badge, BadgeStyle style);

// Width in pixels of `text` in Verdana 11px (exposed for tests).
double BadgeTextWidth(absl::string_view text);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_BADGE_H_
