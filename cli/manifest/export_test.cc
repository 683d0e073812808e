#include "cli/manifest/export.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace uptime::cli::manifest {
namespace {

ServerState Sample() {
  ServerState state;
  v1::Channel c;
  c.set_id("ch-1");
  c.set_name("slack-ops");
  c.set_type("slack");
  (*c.mutable_config())["webhook_url"] = "****abcd";
  (*c.mutable_config())["channel"] = "#ops ${not a var}";
  state.channels.push_back(c);
  v1::Monitor m;
  m.set_id("m-1");
  m.set_name("api");
  (*m.mutable_labels())["team"] = "core";
  (*m.mutable_labels())[kManagedByLabel] = kManagedByValue;
  m.mutable_http()->set_url("https://api.example.com/");
  m.mutable_interval()->set_seconds(30);
  m.add_channel_ids("ch-1");
  m.mutable_create_time()->set_seconds(1);
  state.monitors.push_back(m);
  return state;
}

TEST(ExportTest, WritesNamesPlaceholdersAndNoOutputOnlyFields) {
  absl::StatusOr<ExportResult> r = ExportObjects(Sample(), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->documents, 2);
  EXPECT_EQ(r->yaml,
            "apiVersion: uptime.dev/v1\n"
            "kind: Channel\n"
            "metadata:\n"
            "  name: slack-ops\n"
            "spec:\n"
            "  type: slack\n"
            "  config:\n"
            "    channel: \"#ops $${not a var}\"\n"
            "    webhook_url: ${SLACK_OPS_WEBHOOK_URL}\n"
            "---\n"
            "apiVersion: uptime.dev/v1\n"
            "kind: Monitor\n"
            "metadata:\n"
            "  name: api\n"
            "  labels:\n"
            "    team: core\n"
            "spec:\n"
            "  http:\n"
            "    url: https://api.example.com/\n"
            "  interval: 30s\n"
            "  channels:\n"
            "    - slack-ops\n");
  EXPECT_EQ(
      r->variables,
      (std::vector<std::string>{"SLACK_OPS_WEBHOOK_URL (Channel/slack-ops config.webhook_url)"}));
}

TEST(ExportTest, KindsAndSelectorFilter) {
  absl::StatusOr<ExportResult> r =
      ExportObjects(Sample(), {.kinds = {Kind::kMonitor}, .label_selector = "team=core"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->documents, 1);
  r = ExportObjects(Sample(), {.kinds = {}, .label_selector = "team=other"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->documents, 0);
  EXPECT_FALSE(ExportObjects(Sample(), {.kinds = {}, .label_selector = "=bad"}).ok());
}

TEST(ExportTest, ExportReadsBackAsTheSameObjects) {
  ServerState state = Sample();
  absl::StatusOr<ExportResult> r = ExportObjects(state, {});
  ASSERT_TRUE(r.ok());
  LoadResult loaded;
  ParseManifestText(
      "export.yaml", r->yaml,
      [](const std::string&) -> std::optional<std::string> { return "hook"; }, &loaded);
  FinishManifest(&loaded);
  ASSERT_TRUE(loaded.diagnostics.empty()) << loaded.diagnostics[0].ToString();
  ASSERT_EQ(loaded.manifest.objects.size(), 2u);
  EXPECT_EQ(std::get<v1::Channel>(loaded.manifest.objects[0].message).config().at("channel"),
            "#ops ${not a var}");
  const auto& m = std::get<v1::Monitor>(loaded.manifest.objects[1].message);
  EXPECT_EQ(m.channel_ids(0), "slack-ops");
  EXPECT_EQ(m.interval().seconds(), 30);
}

}  // namespace
}  // namespace uptime::cli::manifest
