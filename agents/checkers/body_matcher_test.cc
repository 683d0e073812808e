#include "agents/checkers/body_matcher.h"

#include <string>

#include "gtest/gtest.h"

namespace uptime::agent {
namespace {

TEST(BodyMatcherTest, NoKeywordsReadsUpToCap) {
  BodyMatcher m("", "", 10);
  EXPECT_TRUE(m.Feed("12345"));
  EXPECT_FALSE(m.Feed("678901234"));
  EXPECT_EQ(m.bytes(), 10u);
  EXPECT_FALSE(m.Failure().has_value());
}

TEST(BodyMatcherTest, PresentKeywordStopsReadingOnceFound) {
  BodyMatcher m("healthy", "", BodyMatcher::kDefaultCap);
  EXPECT_TRUE(m.Feed("status: "));
  EXPECT_FALSE(m.Feed("healthy and more"));
  EXPECT_FALSE(m.Failure().has_value());
}

TEST(BodyMatcherTest, KeywordSplitAcrossManyChunks) {
  BodyMatcher m("needle", "", BodyMatcher::kDefaultCap);
  for (char c : std::string("hay hay ne")) m.Feed(std::string(1, c));
  EXPECT_TRUE(m.Feed("e"));
  EXPECT_TRUE(m.Feed("d"));
  EXPECT_FALSE(m.Feed("le!"));
  EXPECT_FALSE(m.Failure().has_value());
}

TEST(BodyMatcherTest, MissingKeywordFails) {
  BodyMatcher m("healthy", "", BodyMatcher::kDefaultCap);
  EXPECT_TRUE(m.Feed("degraded"));
  ASSERT_TRUE(m.Failure().has_value());
  EXPECT_NE(m.Failure()->find("\"healthy\" not found"), std::string::npos) << *m.Failure();
}

TEST(BodyMatcherTest, ForbiddenKeywordFailsAtOnce) {
  BodyMatcher m("", "ERROR", BodyMatcher::kDefaultCap);
  EXPECT_TRUE(m.Feed("all good so far, "));
  EXPECT_FALSE(m.Feed("then ERR"
                      "OR happened"));
  ASSERT_TRUE(m.Failure().has_value());
  EXPECT_NE(m.Failure()->find("forbidden keyword"), std::string::npos);
}

TEST(BodyMatcherTest, ForbiddenKeywordSplitAcrossChunks) {
  BodyMatcher m("", "ERROR", BodyMatcher::kDefaultCap);
  EXPECT_TRUE(m.Feed("xxER"));
  EXPECT_FALSE(m.Feed("RORyy"));
  EXPECT_TRUE(m.Failure().has_value());
}

TEST(BodyMatcherTest, BothKeywordsNeedTheWholeBody) {
  BodyMatcher m("ok", "fail", BodyMatcher::kDefaultCap);
  // "ok" is found, but a later "fail" could still appear: keep reading.
  EXPECT_TRUE(m.Feed("ok "));
  EXPECT_TRUE(m.Feed("fine"));
  EXPECT_FALSE(m.Failure().has_value());
}

TEST(BodyMatcherTest, KeywordBeyondCapIsNotSeen) {
  BodyMatcher m("late", "", 8);
  EXPECT_TRUE(m.Feed("0123"));
  EXPECT_FALSE(m.Feed("4567late"));
  EXPECT_EQ(m.bytes(), 8u);
  EXPECT_TRUE(m.Failure().has_value());
}

TEST(BodyMatcherTest, KeywordEndingExactlyAtCapIsSeen) {
  BodyMatcher m("late", "", 8);
  EXPECT_TRUE(m.Feed("01"));
  EXPECT_FALSE(m.Feed("23late99"));
  EXPECT_FALSE(m.Failure().has_value());
}

}  // namespace
}  // namespace uptime::agent
