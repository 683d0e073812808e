#include "cli/manifest/env_substitution.h"

#include <map>

#include "gtest/gtest.h"

namespace uptime::cli::manifest {
namespace {

TEST(EnvSubstitutionTest, ReplacesVariablesAndRecordsThem) {
  SubstitutionResult r =
      SubstituteEnv("https://hooks/${A}/x/${B_2}", FixedEnv({{"A", "1"}, {"B_2", "two"}}));
  ASSERT_TRUE(r.value.has_value()) << r.error.message;
  EXPECT_EQ(r.value->text, "https://hooks/1/x/two");
  EXPECT_EQ(r.value->used_variables, (std::vector<std::string>{"A", "B_2"}));
}

TEST(EnvSubstitutionTest, DoubleDollarEscapesAndLoneDollarStays) {
  SubstitutionResult r = SubstituteEnv("$${A} costs $5", FixedEnv({}));
  ASSERT_TRUE(r.value.has_value());
  EXPECT_EQ(r.value->text, "${A} costs $5");
  EXPECT_TRUE(r.value->used_variables.empty());
}

TEST(EnvSubstitutionTest, UnsetMalformedAndUnterminatedAreErrorsWithOffsets) {
  SubstitutionResult unset = SubstituteEnv("ab${NOPE}", FixedEnv({}));
  ASSERT_FALSE(unset.value.has_value());
  EXPECT_EQ(unset.error.offset, 2u);
  EXPECT_EQ(unset.error.message, "environment variable NOPE is not set");

  SubstitutionResult bad = SubstituteEnv("${1X}", FixedEnv({{"1X", "v"}}));
  ASSERT_FALSE(bad.value.has_value());
  EXPECT_NE(bad.error.message.find("not a variable reference"), std::string::npos);

  SubstitutionResult open = SubstituteEnv("x ${A", FixedEnv({{"A", "v"}}));
  ASSERT_FALSE(open.value.has_value());
  EXPECT_EQ(open.error.offset, 2u);
}

}  // namespace
}  // namespace uptime::cli::manifest
