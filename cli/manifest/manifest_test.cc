#include "cli/manifest/manifest.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "cli/manifest/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli::manifest {
namespace {

std::vector<std::string> Lines(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics) out.push_back(d.ToString());
  return out;
}

LoadResult Parse(const std::string& text, std::map<std::string, std::string> vars = {}) {
  LoadResult result;
  ParseManifestText("m.yaml", text, FixedEnv(std::move(vars)), &result);
  FinishManifest(&result);
  return result;
}

constexpr char kGood[] = R"(apiVersion: uptime.dev/v1
kind: Monitor
metadata:
  name: checkout
  labels: {team: shop}
spec:
  http:
    url: https://shop.example.com/health
    headers: [{name: Authorization, value: "Bearer ${TOKEN}"}]
  interval: 1m
  channels: [oncall]
---
apiVersion: uptime.dev/v1
kind: Channel
metadata: {name: oncall}
spec:
  type: slack
  config: {webhook_url: "${HOOK}"}
---
)";

TEST(ManifestTest, ReadsDocumentsInDependencyOrderWithReferencesAndSecrets) {
  LoadResult r =
      Parse(kGood, {{"TOKEN", "t0k"}, {"HOOK", "https://hooks.slack.com/services/T/B/x"}});
  ASSERT_TRUE(r.diagnostics.empty()) << Lines(r.diagnostics)[0];
  ASSERT_EQ(r.manifest.objects.size(), 2u);
  const Object& channel = r.manifest.objects[0];  // channels sort first
  EXPECT_EQ(channel.kind, Kind::kChannel);
  EXPECT_EQ(std::get<v1::Channel>(channel.message).config().at("webhook_url"),
            "https://hooks.slack.com/services/T/B/x");
  EXPECT_TRUE(channel.secret_paths.contains("config.webhook_url"));
  const Object& monitor = r.manifest.objects[1];
  const auto& m = std::get<v1::Monitor>(monitor.message);
  EXPECT_EQ(m.name(), "checkout");
  EXPECT_EQ(m.labels().at("team"), "shop");
  EXPECT_EQ(m.interval().seconds(), 60);
  EXPECT_EQ(m.http().headers(0).value(), "Bearer t0k");
  ASSERT_EQ(monitor.references.size(), 1u);
  EXPECT_EQ(monitor.references[0].name, "oncall");
  EXPECT_EQ(monitor.references[0].where.yaml_path, "spec.channels[0]");
  EXPECT_EQ(monitor.references[0].where.position.line, 11);
  EXPECT_EQ(r.manifest.variables, (std::vector<std::string>{"HOOK", "TOKEN"}));
}

TEST(ManifestTest, EveryProblemIsReportedWithFileLineAndColumn) {
  LoadResult r = Parse(R"(apiVersion: uptime.dev/v1
kind: Monitor
metadata: {name: api}
spec:
  http: {urll: https://x}
  interval: soon
  tcp: {host: h, port: 80}
---
apiVersion: uptime.dev/v2
kind: Moniter
metadata: {name: x}
spec: {}
---
apiVersion: uptime.dev/v1
kind: Channel
metadata: {name: c}
spec: {type: slack, config: {webhook_url: "https://${MISSING}"}}
)");
  EXPECT_EQ(Lines(r.diagnostics),
            (std::vector<std::string>{
                "m.yaml:5:10: spec.http.urll: unknown field 'urll'; did you mean 'url'?",
                "m.yaml:6:13: spec.interval: 'soon' is not a duration such as 30s or 1m30s",
                "m.yaml:7:3: spec.tcp: only one of http, tcp, dns, grpc, icmp may be given",
                "m.yaml:9:13: apiVersion: must be uptime.dev/v1, got 'uptime.dev/v2'",
                "m.yaml:10:7: kind: unknown kind 'Moniter'; did you mean 'Monitor'?",
                "m.yaml:17:52: spec.config.webhook_url: environment variable MISSING is not set",
            }));
  EXPECT_TRUE(r.manifest.objects.empty());
}

TEST(ManifestTest, SyntaxErrorsAndDuplicatesAreDiagnostics) {
  LoadResult bad = Parse("kind: [unclosed\n");
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  EXPECT_EQ(bad.diagnostics[0].file, "m.yaml");
  EXPECT_GT(bad.diagnostics[0].position.line, 0);

  LoadResult dup = Parse(R"(apiVersion: uptime.dev/v1
kind: Channel
metadata: {name: c}
spec: {type: slack}
---
apiVersion: uptime.dev/v1
kind: Channel
metadata: {name: c}
spec: {type: slack}
)");
  ASSERT_EQ(dup.diagnostics.size(), 1u);
  EXPECT_EQ(dup.diagnostics[0].ToString(),
            "m.yaml:8:18: metadata.name: Channel 'c' is already defined at m.yaml:1");
}

// Found by fuzz/manifest_fuzz: yaml-cpp 0.7's LoadAll never returns (and
// allocates until killed) on a document that starts with ','.
TEST(ManifestTest, ATokenNoNodeStartsWithIsAnErrorNotAHang) {
  for (const std::string& text : {std::string(","), std::string(" ,\n"),
                                   absl::StrCat(kGood, "---\n,r# comment\n")}) {
    LoadResult result = Parse(text);
    ASSERT_EQ(result.diagnostics.size(), 1u) << text;
    EXPECT_THAT(result.diagnostics[0].ToString(),
                testing::HasSubstr("unexpected character: no YAML node starts here"));
    EXPECT_GT(result.diagnostics[0].position.line, 0) << text;
  }
  // Empty documents and comment-only files are still fine.
  EXPECT_TRUE(Parse("---\n---\n# nothing\n").diagnostics.empty());
  LoadResult good = Parse(absl::StrCat(kGood, "---\n"),
                          {{"TOKEN", "t"}, {"HOOK", "https://hooks.slack.com/services/T/B/x"}});
  EXPECT_TRUE(good.diagnostics.empty());
  EXPECT_EQ(good.manifest.objects.size(), 2u);
}

TEST(ManifestTest, ReservedLabelPrefixIsRefused) {
  LoadResult r = Parse(R"(apiVersion: uptime.dev/v1
kind: Monitor
metadata:
  name: m
  labels: {uptime.dev/managed-by: me}
spec: {tcp: {host: h, port: 1}}
)");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("reserved"), std::string::npos);
}

TEST(ManifestTest, ServerRulesMapBackToTheYamlNode) {
  LoadResult r = Parse(R"(apiVersion: uptime.dev/v1
kind: Monitor
metadata: {name: m}
spec:
  http:
    url: ftp://example.com
  channels: [ghost]
---
apiVersion: uptime.dev/v1
kind: Monitor
metadata: {name: n}
spec:
  tcp: {host: h, port: 80}
  interval: 2s
  timeout: 5s
)");
  ASSERT_TRUE(r.diagnostics.empty()) << Lines(r.diagnostics)[0];
  std::vector<Diagnostic> found = ValidateManifest(r.manifest, nullptr);
  EXPECT_EQ(Lines(found),
            (std::vector<std::string>{
                "m.yaml:6:10: spec.http.url: scheme 'ftp' is not supported (use http or https)",
                "m.yaml:15:12: spec.timeout: must be shorter than the interval (2s), got 5s",
                "m.yaml:7:14: warning: spec.channels[0]: Channel 'ghost' is not defined in the "
                "files; it must exist on the server",
            }));
  const KnownFn none = [](Kind, const std::string&) { return false; };
  std::vector<Diagnostic> online = ValidateManifest(r.manifest, &none);
  ASSERT_EQ(online.size(), 3u);
  EXPECT_FALSE(online[1].warning);
  EXPECT_EQ(online[1].ToString(),
            "m.yaml:7:14: spec.channels[0]: Channel 'ghost' is not defined in the files nor on the "
            "server");
}

}  // namespace
}  // namespace uptime::cli::manifest
