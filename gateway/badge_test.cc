#include "gateway/badge.h"

#include <string>

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

TEST(BadgeTest, StatesHaveTheirColours) {
  EXPECT_EQ(StateBadge(v1::STATE_UP).message, "up");
  EXPECT_EQ(StateBadge(v1::STATE_UP).color, "#44cc11");
  EXPECT_EQ(StateBadge(v1::STATE_DOWN).color, "#e05d44");
  EXPECT_EQ(StateBadge(v1::STATE_MAINTENANCE).message, "maintenance");
  EXPECT_EQ(StateBadge(v1::STATE_PAUSED).message, "paused");
  EXPECT_EQ(StateBadge(v1::STATE_PENDING).message, "pending");
  EXPECT_EQ(StateBadge(v1::STATE_UP, "api").label, "api");
}

TEST(BadgeTest, UptimeNeverRoundsUpToAHundred) {
  EXPECT_EQ(UptimeBadge(100, "uptime").message, "100%");
  EXPECT_EQ(UptimeBadge(99.999, "uptime").message, "99.99%");
  EXPECT_EQ(UptimeBadge(99.95, "uptime").color, "#44cc11");
  EXPECT_EQ(UptimeBadge(99.5, "uptime").color, "#97ca00");
  EXPECT_EQ(UptimeBadge(90, "uptime").color, "#e05d44");
  EXPECT_EQ(UptimeBadge(-1, "uptime").message, "no data");
}

TEST(BadgeTest, ResponseTimeUnits) {
  EXPECT_EQ(ResponseTimeBadge(123.4).message, "123 ms");
  EXPECT_EQ(ResponseTimeBadge(12345).message, "12.3 s");
  EXPECT_EQ(ResponseTimeBadge(123.4).color, "#44cc11");
  EXPECT_EQ(ResponseTimeBadge(5000).color, "#e05d44");
  EXPECT_EQ(ResponseTimeBadge(-1).message, "no data");
}

TEST(BadgeTest, OverallStates) {
  EXPECT_EQ(OverallBadge("operational").color, "#44cc11");
  EXPECT_EQ(OverallBadge("degraded").color, "#fe7d37");
  EXPECT_EQ(OverallBadge("outage").color, "#e05d44");
  EXPECT_EQ(OverallBadge("maintenance").color, "#007ec6");
}

TEST(BadgeTest, StyleParsing) {
  EXPECT_EQ(*ParseBadgeStyle(""), BadgeStyle::kFlat);
  EXPECT_EQ(*ParseBadgeStyle("flat"), BadgeStyle::kFlat);
  EXPECT_EQ(*ParseBadgeStyle("flat-square"), BadgeStyle::kFlatSquare);
  absl::StatusOr<BadgeStyle> bad = ParseBadgeStyle("plastic");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("style"), std::string::npos);
}

TEST(BadgeTest, WidthGrowsWithText) {
  EXPECT_NEAR(BadgeTextWidth("up"), 6.96 + 6.85, 0.01);
  EXPECT_GT(BadgeTextWidth("maintenance"), BadgeTextWidth("up"));
  EXPECT_GT(BadgeTextWidth("\xC3\xA9t\xC3\xA9"), 0);  // "été": non-ASCII counts
  EXPECT_GT(BadgeTextWidth("\xff\xfe"), 0);            // invalid UTF-8 does not stall
}

TEST(BadgeTest, SvgEscapesTextAndSizesToIt) {
  std::string svg = RenderBadgeSvg({"<a&b>", "\"up\"", "#44cc11"}, BadgeStyle::kFlat);
  EXPECT_EQ(svg.find("<a&b>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;a&amp;b&gt;"), std::string::npos);
  EXPECT_NE(svg.find("&quot;up&quot;"), std::string::npos);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("<title>"), std::string::npos);

  std::string narrow = RenderBadgeSvg(StateBadge(v1::STATE_UP), BadgeStyle::kFlat);
  std::string wide = RenderBadgeSvg(StateBadge(v1::STATE_MAINTENANCE), BadgeStyle::kFlat);
  auto width_of = [](const std::string& s) {
    size_t at = s.find("width=\"") + 7;
    return std::stoi(s.substr(at, s.find('"', at) - at));
  };
  EXPECT_LT(width_of(narrow), width_of(wide));
}

TEST(BadgeTest, FlatSquareHasNoRoundedCorners) {
  std::string svg = RenderBadgeSvg(StateBadge(v1::STATE_UP), BadgeStyle::kFlatSquare);
  EXPECT_EQ(svg.find("rx="), std::string::npos);
  EXPECT_EQ(svg.find("linearGradient"), std::string::npos);
}

TEST(BadgeTest, ShieldsEndpointJson) {
  EXPECT_EQ(RenderShieldsJson(StateBadge(v1::STATE_DOWN, "api \"x\""), BadgeStyle::kFlat),
            R"({"schemaVersion":1,"label":"api \"x\"","message":"down","color":"e05d44"})");
  EXPECT_EQ(RenderShieldsJson(StateBadge(v1::STATE_UP), BadgeStyle::kFlatSquare),
            R"({"schemaVersion":1,"label":"status","message":"up","color":"44cc11","style":"flat-square"})");
}

}  // namespace
}  // namespace uptime::gateway
