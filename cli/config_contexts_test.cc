#include "cli/config_contexts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::HasSubstr;

GetEnv EnvOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kFull[] = R"(current-context: prod
contexts:
  - name: dev
    addr: localhost:7070
    token: dev-token
  - name: prod
    addr: coordinator.example.com:7070
    token-file: ~/.uptime/prod.token
    timeout: 3s
    tls:
      enabled: true
      ca: ca.pem
      cert: /etc/uptime/client.pem
      key: client.key
      server-name: coordinator.internal
)";

TEST(ConfigContextsTest, ParsesEveryField) {
  absl::StatusOr<ContextsFile> file = ParseContexts(kFull, "config.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->current_context, "prod");
  ASSERT_EQ(file->contexts.size(), 2u);
  EXPECT_EQ(file->contexts[0].token, "dev-token");
  const Context* prod = file->Find("prod");
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(prod->addr, "coordinator.example.com:7070");
  EXPECT_EQ(prod->token_file, "~/.uptime/prod.token");
  EXPECT_EQ(prod->timeout, "3s");
  EXPECT_EQ(prod->tls.enabled, true);
  EXPECT_EQ(prod->tls.ca, "ca.pem");
  EXPECT_EQ(prod->tls.cert, "/etc/uptime/client.pem");
  EXPECT_EQ(prod->tls.key, "client.key");
  EXPECT_EQ(prod->tls.server_name, "coordinator.internal");
}

TEST(ConfigContextsTest, EmptyTextIsAnEmptyFile) {
  absl::StatusOr<ContextsFile> file = ParseContexts("", "config.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->contexts.empty());
  EXPECT_TRUE(file->current_context.empty());
}

// Each error names the file, the line and the field.
TEST(ConfigContextsTest, ErrorsNameFileLineAndField) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"contexts:\n  - name: a\n    adr: x:1\n", "f.yaml:3: contexts[0].adr: unknown key"},
      {"contexts:\n  - name: a\n    tls:\n      enabled: maybe\n",
       "f.yaml:4: contexts[0].tls.enabled: expected true or false"},
      {"contexts:\n  - addr: x:1\n", "f.yaml:2: contexts[0].name: required"},
      {"contexts:\n  - name: a\n  - name: a\n", "f.yaml:3: contexts[1].name: duplicate context 'a'"},
      {"contexts:\n  - name: a\n    timeout: soon\n",
       "f.yaml:3: contexts[0].timeout: expected a positive duration"},
      {"contexts:\n  - name: a\n    token: t\n    token-file: f\n",
       "f.yaml:2: contexts[0]: token and token-file are mutually exclusive"},
      {"current-contxt: a\n", "f.yaml:1: current-contxt: unknown key"},
      {"contexts: {a: b}\n", "f.yaml:1: contexts: expected a list"},
      {"contexts:\n  - name: [a]\n", "f.yaml:2: contexts[0].name: expected a string"},
      {"contexts: [\n", ": not valid YAML"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ContextsFile> file = ParseContexts(c.text, "f.yaml");
    ASSERT_FALSE(file.ok()) << c.text;
    EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(file.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(ConfigContextsTest, SerializeRoundTripsAndRedacts) {
  absl::StatusOr<ContextsFile> file = ParseContexts(kFull, "config.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  const std::string text = SerializeContexts(*file, /*redact=*/false);
  absl::StatusOr<ContextsFile> again = ParseContexts(text, "again.yaml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << text;
  EXPECT_EQ(SerializeContexts(*again, false), text);
  EXPECT_EQ(again->contexts[0].token, "dev-token");

  const std::string redacted = SerializeContexts(*file, /*redact=*/true);
  EXPECT_THAT(redacted, ::testing::Not(HasSubstr("dev-token")));
  EXPECT_THAT(redacted, HasSubstr("token: REDACTED"));
}

TEST(ConfigContextsTest, SaveIsPrivateAndLeavesNoTemporaryFile) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("contexts-save-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "sub" / "config.yaml").string();
  ContextsFile file;
  file.contexts.push_back(Context{.name = "a", .addr = "x:1", .token = "secret"});
  file.current_context = "a";
  ASSERT_TRUE(SaveContexts(path, file).ok());

  struct stat st = {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(stat((dir / "sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "sub")) ++entries;
  EXPECT_EQ(entries, 1);

  absl::StatusOr<ContextsFile> loaded = LoadContexts(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->Find("a")->token, "secret");
  EXPECT_EQ(loaded->current_context, "a");

  // Replacing keeps the mode (a new file each time, renamed over the old).
  file.contexts[0].addr = "y:2";
  ASSERT_TRUE(SaveContexts(path, file).ok());
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(LoadContexts(path)->Find("a")->addr, "y:2");
  std::filesystem::remove_all(dir);
}

TEST(ConfigContextsTest, MissingFileIsEmpty) {
  absl::StatusOr<ContextsFile> file = LoadContexts("/nonexistent-dir-uptimectl/config.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->contexts.empty());
}

TEST(ConfigContextsTest, PathPrecedence) {
  EXPECT_EQ(*ConfigPath(EnvOf({{"UPTIMECTL_CONFIG", "/c.yaml"},
                               {"XDG_CONFIG_HOME", "/xdg"},
                               {"HOME", "/home/u"}})),
            "/c.yaml");
  EXPECT_EQ(*ConfigPath(EnvOf({{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/home/u"}})),
            "/xdg/uptimectl/config.yaml");
  EXPECT_EQ(*ConfigPath(EnvOf({{"UPTIMECTL_CONFIG", ""}, {"HOME", "/home/u"}})),
            "/home/u/.config/uptimectl/config.yaml");
  EXPECT_FALSE(ConfigPath(EnvOf({})).ok());
}

TEST(ConfigContextsTest, SelectsFlagThenCurrent) {
  absl::StatusOr<ContextsFile> file = ParseContexts(kFull, "c.yaml");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*SelectContext(*file, "", "c.yaml"))->name, "prod");
  EXPECT_EQ((*SelectContext(*file, "dev", "c.yaml"))->name, "dev");
  absl::StatusOr<std::optional<Context>> missing = SelectContext(*file, "nope", "c.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("--context: no context 'nope' in c.yaml"));

  file->current_context.clear();
  EXPECT_FALSE(SelectContext(*file, "", "c.yaml")->has_value());
  file->current_context = "gone";
  EXPECT_THAT(SelectContext(*file, "", "c.yaml").status().message(),
              HasSubstr("c.yaml: current-context: no context 'gone'"));
}

TEST(ConfigContextsTest, FilePathsRelativeToTheConfigFile) {
  const GetEnv env = EnvOf({{"HOME", "/home/u"}});
  EXPECT_EQ(ContextFilePath("ca.pem", "/etc/uptimectl/config.yaml", env),
            "/etc/uptimectl/ca.pem");
  EXPECT_EQ(ContextFilePath("~/t", "/etc/uptimectl/config.yaml", env), "/home/u/t");
  EXPECT_EQ(ContextFilePath("/abs", "/etc/uptimectl/config.yaml", env), "/abs");
  EXPECT_EQ(ContextFilePath("", "/etc/uptimectl/config.yaml", env), "");
}

}  // namespace
}  // namespace uptime::cli
