#include "common/labels.h"

#include <map>

#include "gtest/gtest.h"

namespace uptime {
namespace {

TEST(LabelSelectorTest, MatchesAllTermKinds) {
  auto sel = LabelSelector::Parse("sel", "env=prod, tier!=db,team,!canary");
  ASSERT_TRUE(sel.ok()) << sel.status();
  std::map<std::string, std::string> labels = {{"env", "prod"}, {"tier", "web"}, {"team", "a"}};
  EXPECT_TRUE(sel->Matches(labels));
  labels["canary"] = "1";
  EXPECT_FALSE(sel->Matches(labels));
  labels.erase("canary");
  labels["tier"] = "db";
  EXPECT_FALSE(sel->Matches(labels));
}

TEST(LabelSelectorTest, EmptySelectorMatchesEverything) {
  auto sel = LabelSelector::Parse("sel", "");
  ASSERT_TRUE(sel.ok());
  EXPECT_TRUE(sel->empty());
  EXPECT_TRUE(sel->Matches(std::map<std::string, std::string>{}));
}

TEST(LabelSelectorTest, BadKeyIsRejectedNamingTheField) {
  auto sel = LabelSelector::Parse("label_selector", "bad key=1");
  ASSERT_FALSE(sel.ok());
  EXPECT_EQ(sel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(sel.status().message().find("label_selector"), std::string::npos);
}

}  // namespace
}  // namespace uptime
