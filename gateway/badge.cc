#include "gateway/badge.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/utf8.h"
#include "gateway/request_mapping.h"
#include "gateway/status_feed.h"

namespace uptime::gateway {
namespace {

// shields.io's palette, so our badges sit well next to theirs in a README.
constexpr char kBrightGreen[] = "#44cc11";
constexpr char kGreen[] = "#97ca00";
constexpr char kYellowGreen[] = "#a4a61d";
constexpr char kYellow[] = "#dfb317";
constexpr char kOrange[] = "#fe7d37";
constexpr char kRed[] = "#e05d44";
constexpr char kBlue[] = "#007ec6";
constexpr char kLightGrey[] = "#9f9f9f";
constexpr char kLabelGrey[] = "#555555";

// Advance widths of printable ASCII (0x20..0x7e) in Verdana at 11px.
constexpr double kVerdana11[95] = {
    3.87,  4.33, 5.05, 9.00, 6.99, 11.84, 7.99, 2.95, 4.99, 4.99, 6.99, 9.00, 4.00, 4.99, 4.00, 4.99,
    6.99,  6.99, 6.99, 6.99, 6.99, 6.99,  6.99, 6.99, 6.99, 6.99, 4.99, 4.99, 9.00, 9.00, 9.00, 5.99,
    11.00, 7.52, 7.54, 7.68, 8.48, 6.96,  6.32, 8.53, 8.27, 4.62, 5.00, 7.63, 6.12, 9.27, 8.23, 8.66,
    6.63,  8.66, 7.65, 7.52, 6.78, 8.05,  7.52, 10.88, 7.54, 6.77, 7.54, 4.99, 4.99, 4.99, 9.00, 6.99,
    6.99,  6.61, 6.85, 5.73, 6.85, 6.55,  3.87, 6.85, 6.96, 3.02, 3.79, 6.51, 3.02, 10.70, 6.96, 6.68,
    6.85,  6.85, 4.69, 5.73, 4.33, 6.96,  6.51, 8.98, 6.51, 6.51, 5.78, 6.98, 4.99, 6.98, 9.00,
};
// Characters outside ASCII: about the width of a capital letter, which errs
// wide (a little padding) rather than clipping the text.
constexpr double kOtherWidth = 8.0;
constexpr double kPadding = 10.0;  // 5 px either side of each text

std::string PercentText(double percent) {
  if (percent >= 100.0) return "100%";
  // Truncate rather than round, so 99.999 % never reads as "100.00%".
  double truncated = std::floor(percent * 100.0) / 100.0;
  return absl::StrFormat("%.2f%%", truncated);
}

}  // namespace

absl::StatusOr<BadgeStyle> ParseBadgeStyle(absl::string_view style) {
  if (style.empty() || style == "flat") return BadgeStyle::kFlat;
  if (style == "flat-square") return BadgeStyle::kFlatSquare;
  return absl::InvalidArgumentError("style: must be \"flat\" or \"flat-square\"");
}

double BadgeTextWidth(absl::string_view text) {
  double width = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      width += kVerdana11[c - 0x20];
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(text, i);
    width += kOtherWidth;
    i += n == 0 ? 1 : n;
  }
  return width;
}

Badge StateBadge(v1::State state, absl::string_view label) {
  switch (state) {
    case v1::STATE_UP:
      return {std::string(label), "up", kBrightGreen};
    case v1::STATE_DOWN:
      return {std::string(label), "down", kRed};
    case v1::STATE_MAINTENANCE:
      return {std::string(label), "maintenance", kBlue};
    case v1::STATE_PAUSED:
      return {std::string(label), "paused", kLightGrey};
    default:
      return {std::string(label), "pending", kYellow};
  }
}

Badge OverallBadge(absl::string_view overall, absl::string_view label) {
  const char* color = kLightGrey;
  if (overall == "operational") color = kBrightGreen;
  if (overall == "degraded") color = kOrange;
  if (overall == "outage") color = kRed;
  if (overall == "maintenance") color = kBlue;
  return {std::string(label), std::string(overall), color};
}

Badge UptimeBadge(double percent, absl::string_view label) {
  if (percent < 0 || std::isnan(percent)) return {std::string(label), "no data", kLightGrey};
  const char* color = percent >= 99.9 ? kBrightGreen
                      : percent >= 99 ? kGreen
                      : percent >= 97 ? kYellowGreen
                      : percent >= 95 ? kYellow
                                      : kRed;
  return {std::string(label), PercentText(percent), color};
}

Badge ResponseTimeBadge(double milliseconds, absl::string_view label) {
  if (milliseconds < 0 || std::isnan(milliseconds)) {
    return {std::string(label), "no data", kLightGrey};
  }
  std::string text = milliseconds < 10000
                         ? absl::StrFormat("%d ms", static_cast<int64_t>(std::lround(milliseconds)))
                         : absl::StrFormat("%.1f s", milliseconds / 1000.0);
  const char* color = milliseconds < 300    ? kBrightGreen
                      : milliseconds < 1000 ? kYellow
                      : milliseconds < 3000 ? kOrange
                                            : kRed;
  return {std::string(label), std::move(text), color};
}

std::string RenderBadgeSvg(const Badge& badge, BadgeStyle style) {
  const int label_w = static_cast<int>(std::lround(BadgeTextWidth(badge.label) + kPadding));
  const int message_w = static_cast<int>(std::lround(BadgeTextWidth(badge.message) + kPadding));
  const int width = label_w + message_w;
  const std::string label = XmlEscape(badge.label);
  const std::string message = XmlEscape(badge.message);
  const std::string color = XmlEscape(badge.color);
  const std::string title = absl::StrCat(label, ": ", message);
  const double label_x = label_w / 2.0;
  const double message_x = label_w + message_w / 2.0;
  const bool flat = style == BadgeStyle::kFlat;

  std::string svg = absl::StrFormat(
      R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">)svg"
      R"svg(<title>%s</title>)svg",
      width, title, title);
  if (flat) {
    absl::StrAppend(&svg,
                    R"svg(<linearGradient id="s" x2="0" y2="100%">)svg"
                    R"svg(<stop offset="0" stop-color="#bbb" stop-opacity=".1"/>)svg"
                    R"svg(<stop offset="1" stop-opacity=".1"/></linearGradient>)svg",
                    absl::StrFormat(R"svg(<clipPath id="r"><rect width="%d" height="20" rx="3" )svg"
                                    R"svg(fill="#fff"/></clipPath><g clip-path="url(#r)">)svg",
                                    width));
  } else {
    absl::StrAppend(&svg, R"svg(<g shape-rendering="crispEdges">)svg");
  }
  absl::StrAppend(
      &svg,
      absl::StrFormat(R"svg(<rect width="%d" height="20" fill="%s"/>)svg"
                      R"svg(<rect x="%d" width="%d" height="20" fill="%s"/>)svg",
                      label_w, kLabelGrey, label_w, message_w, color));
  if (flat) {
    absl::StrAppend(&svg, absl::StrFormat(R"svg(<rect width="%d" height="20" fill="url(#s)"/>)svg", width));
  }
  absl::StrAppend(&svg,
                  R"svg(</g><g fill="#fff" text-anchor="middle" )svg"
                  R"svg(font-family="Verdana,Geneva,DejaVu Sans,sans-serif" )svg"
                  R"svg(text-rendering="geometricPrecision" font-size="11">)svg");
  for (const auto& [x, text] : {std::pair{label_x, &label}, std::pair{message_x, &message}}) {
    if (flat) {
      // The 1px shadow that gives flat badges their embossed look.
      absl::StrAppend(&svg, absl::StrFormat(R"svg(<text x="%.1f" y="15" fill="#010101" )svg"
                                            R"svg(fill-opacity=".3" aria-hidden="true">%s</text>)svg",
                                            x, *text));
    }
    absl::StrAppend(&svg, absl::StrFormat(R"svg(<text x="%.1f" y="14">%s</text>)svg", x, *text));
  }
  absl::StrAppend(&svg, "</g></svg>");
  return svg;
}

std::string RenderShieldsJson(const Badge& badge, BadgeStyle style) {
  // shields.io takes colours without the '#'.
  absl::string_view color = badge.color;
  if (!color.empty() && color.front() == '#') color.remove_prefix(1);
  std::string json = absl::StrCat(R"svg({"schemaVersion":1,"label":)svg", JsonQuote(badge.label),
                                  R"svg(,"message":)svg", JsonQuote(badge.message), R"svg(,"color":)svg",
                                  JsonQuote(color));
  if (style == BadgeStyle::kFlatSquare) absl::StrAppend(&json, R"svg(,"style":"flat-square")svg");
  json.push_back('}');
  return json;
}

}  // namespace uptime::gateway
