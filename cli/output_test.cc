// Output formatting and the table views: pure, no server.
#include "cli/output.h"

#include <sstream>

#include "cli/views.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace uptime::cli {
namespace {

TEST(TableTest, AlignsColumnsWithoutTrailingSpaces) {
  Table table({"ID", "NAME", "NOTE"});
  table.AddRow({"1", "a-long-name", ""});
  table.AddRow({"22", "b"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "ID  NAME         NOTE\n"
            "1   a-long-name\n"
            "22  b\n");
}

TEST(TableTest, CountsUtf8CodePointsNotBytes) {
  Table table({"NAME", "X"});
  table.AddRow({"café", "1"});
  table.AddRow({"cafe", "2"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(), "NAME  X\ncafé  1\ncafe  2\n");
}

TEST(JsonToYamlTest, KeepsOrderAndQuotesStringsThatLookLikeOtherTypes) {
  auto yaml = JsonToYaml(R"({"id": "m1", "count": 3, "big": "1234", "flag": true,
      "word": "true", "empty": "", "since": "2023-11-14T22:13:20Z", "interval": "30s",
      "list": ["a", "null"], "nested": {"k": "v"}})");
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  EXPECT_EQ(*yaml,
            "id: m1\n"
            "count: 3\n"
            "big: \"1234\"\n"
            "flag: true\n"
            "word: \"true\"\n"
            "empty: \"\"\n"
            "since: \"2023-11-14T22:13:20Z\"\n"
            "interval: 30s\n"
            "list:\n"
            "  - a\n"
            "  - \"null\"\n"
            "nested:\n"
            "  k: v\n");
  // Reading it back gives the same strings.
  const YAML::Node doc = YAML::Load(*yaml);
  EXPECT_EQ(doc["big"].Tag(), "!");
  EXPECT_EQ(doc["word"].as<std::string>(), "true");
}

TEST(JsonToYamlTest, EmptyObject) {
  auto yaml = JsonToYaml("{}");
  ASSERT_TRUE(yaml.ok());
  EXPECT_EQ(*yaml, "{}\n");
}

TEST(JsonToYamlTest, MalformedJsonIsAnError) {
  EXPECT_FALSE(JsonToYaml(R"({"a": [})").ok());
}

TEST(ViewsTest, HumanAge) {
  EXPECT_EQ(HumanAge(absl::Seconds(-5)), "0s");
  EXPECT_EQ(HumanAge(absl::Seconds(59)), "59s");
  EXPECT_EQ(HumanAge(absl::Minutes(12) + absl::Seconds(40)), "12m");
  EXPECT_EQ(HumanAge(absl::Hours(3) + absl::Minutes(12)), "3h12m");
  EXPECT_EQ(HumanAge(absl::Hours(24 * 5 + 3)), "5d3h");
}

TEST(ViewsTest, FormatLatency) {
  EXPECT_EQ(FormatLatency(850), "850us");
  EXPECT_EQ(FormatLatency(4'200), "4.2ms");
  EXPECT_EQ(FormatLatency(120'400), "120ms");
  EXPECT_EQ(FormatLatency(2'500'000), "2.5s");
}

TEST(ViewsTest, CheckTargetPerType) {
  v1::Monitor m;
  m.mutable_http()->set_url("https://a/");
  EXPECT_EQ(CheckTarget(m), "https://a/");
  m.mutable_http()->set_method("POST");
  EXPECT_EQ(CheckTarget(m), "POST https://a/");
  m.mutable_tcp()->set_host("::1");
  m.mutable_tcp()->set_port(80);
  EXPECT_EQ(CheckTarget(m), "[::1]:80");
  m.mutable_dns()->set_name("example.com");
  EXPECT_EQ(CheckTarget(m), "example.com A");
  EXPECT_EQ(CheckTypeName(m), "dns");
  m.clear_spec();
  EXPECT_EQ(CheckTarget(m), "-");
}

TEST(PrinterTest, JsonAndYamlOfTheSameMessage) {
  v1::Monitor m;
  m.set_id("m1");
  m.mutable_interval()->set_seconds(90);
  std::ostringstream json_out, yaml_out;
  Printer json(OutputFormat::kJson, json_out, absl::UnixEpoch());
  Printer yaml(OutputFormat::kYaml, yaml_out, absl::UnixEpoch());
  auto no_table = [] { return Table({}); };
  ASSERT_TRUE(json.Print(m, no_table).ok());
  ASSERT_TRUE(yaml.Print(m, no_table).ok());
  EXPECT_THAT(json_out.str(), ::testing::HasSubstr("\"interval\": \"90s\""));
  EXPECT_EQ(yaml_out.str(), "id: m1\ninterval: 90s\n");
}

TEST(PrinterTest, MapKeysComeOutSorted) {
  // Stable output matters for diffs of saved monitors; protobuf maps iterate
  // in hash order.
  v1::Monitor m;
  for (const char* key : {"zone", "app", "env", "team", "tier", "owner"}) {
    (*m.mutable_labels())[key] = "x";
  }
  std::ostringstream out;
  Printer yaml(OutputFormat::kYaml, out, absl::UnixEpoch());
  ASSERT_TRUE(yaml.Print(m, [] { return Table({}); }).ok());
  EXPECT_EQ(out.str(),
            "labels:\n  app: x\n  env: x\n  owner: x\n  team: x\n  tier: x\n  zone: x\n");
}

}  // namespace
}  // namespace uptime::cli
