// `uptimectl config ...` and how contexts feed the connection settings,
// against the fake coordinator. Each test has a config file path of its own
// (CliTest::config_path()).
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/config_contexts.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class ConfigCommandsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::filesystem::remove_all(std::filesystem::path(config_path()).parent_path());
  }
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(config_path()).parent_path());
    CliTest::TearDown();
  }

  // uptimectl without the fixture's --addr: the context has to supply it.
  int Bare(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return RunCli(args, Env());
  }

  std::string FileText() {
    std::ifstream in(config_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  void WriteFile(const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(config_path()).parent_path());
    std::ofstream(config_path()) << text;
  }

  // A context pointing at the fake with `token` inline.
  void AddFakeContext(const std::string& name, const std::string& token) {
    ASSERT_EQ(Bare({"config", "set-context", name, "--addr", fake_.addr(), "--token", token}), 0)
        << err();
  }
};

TEST_F(ConfigCommandsTest, SetUseGetViewDelete) {
  EXPECT_EQ(Bare({"config", "get-contexts"}), 0);
  EXPECT_THAT(err(), HasSubstr("no contexts in " + config_path()));

  ASSERT_EQ(Bare({"config", "set-context", "dev", "--addr", "localhost:7070", "--token",
                  "dev-secret"}),
            0);
  EXPECT_THAT(err(), HasSubstr("warning: the token is stored inline"));
  EXPECT_THAT(err(), HasSubstr("context 'dev' created"));
  ASSERT_EQ(Bare({"config", "set-context", "prod", "--addr", "prod:7070", "--token-file",
                  "/etc/uptime/token", "--tls", "--tls-ca", "/etc/uptime/ca.pem", "--timeout",
                  "3s"}),
            0);
  EXPECT_THAT(err(), Not(HasSubstr("warning")));

  EXPECT_EQ(Bare({"config", "current-context"}), kExitNotFound);
  EXPECT_EQ(Bare({"config", "use-context", "prod"}), 0) << err();
  EXPECT_EQ(Bare({"config", "current-context"}), 0);
  EXPECT_EQ(out(), "prod\n");
  EXPECT_EQ(Bare({"config", "use-context", "staging"}), kExitNotFound);

  EXPECT_EQ(Bare({"config", "get-contexts"}), 0);
  EXPECT_EQ(out(),
            "CURRENT  NAME  ADDR            AUTH                          TLS  TIMEOUT\n"
            "         dev   localhost:7070  token (inline)                -    -\n"
            "*        prod  prod:7070       token-file /etc/uptime/token  yes  3s\n");
  // Tokens never printed, in any format.
  for (const char* format : {"table", "json", "yaml"}) {
    EXPECT_EQ(Bare({"-o", format, "config", "get-contexts"}), 0);
    EXPECT_THAT(out(), Not(HasSubstr("dev-secret"))) << format;
    EXPECT_EQ(Bare({"-o", format, "config", "view"}), 0);
    EXPECT_THAT(out(), Not(HasSubstr("dev-secret"))) << format;
    EXPECT_THAT(out(), HasSubstr("REDACTED")) << format;
  }
  EXPECT_EQ(Bare({"config", "view"}), 0);
  EXPECT_THAT(out(), HasSubstr("current-context: prod\n"));

  // The file itself keeps the token, readable by its owner only.
  EXPECT_THAT(FileText(), HasSubstr("token: dev-secret"));
  struct stat st = {};
  ASSERT_EQ(stat(config_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  // set-context changes only what it is given.
  EXPECT_EQ(Bare({"config", "set-context", "prod", "--tls=false"}), 0) << err();
  EXPECT_THAT(err(), HasSubstr("context 'prod' modified"));
  absl::StatusOr<ContextsFile> file = LoadContexts(config_path());
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->Find("prod")->tls.enabled, false);
  EXPECT_EQ(file->Find("prod")->addr, "prod:7070");
  EXPECT_EQ(file->Find("prod")->tls.ca, "/etc/uptime/ca.pem");

  EXPECT_EQ(Bare({"config", "delete-context", "prod"}), 0);
  EXPECT_THAT(err(), HasSubstr("it was the current context"));
  EXPECT_EQ(Bare({"config", "current-context"}), kExitNotFound);
  EXPECT_EQ(Bare({"config", "delete-context", "prod"}), kExitNotFound);
}

TEST_F(ConfigCommandsTest, BadSetContextChangesNothing) {
  AddFakeContext("a", "t");
  const std::string before = FileText();
  EXPECT_EQ(Bare({"config", "set-context", "a", "--timeout", "soon"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--timeout: expected a positive duration"));
  EXPECT_EQ(Bare({"config", "set-context", "a", "--token", "x", "--token-file", "/f"}),
            kExitUsage);
  EXPECT_EQ(Bare({"config", "set-context", "a", "--addr", ""}), kExitUsage);
  EXPECT_EQ(FileText(), before);
}

// A context supplies address and token; no coordinator flag on the line.
TEST_F(ConfigCommandsTest, CurrentContextConnects) {
  fake_.SetClusterInfo(v1::ClusterInfo());
  AddFakeContext("fake", "ctx-token");
  ASSERT_EQ(Bare({"config", "use-context", "fake"}), 0);
  EXPECT_EQ(Bare({"cluster"}), 0) << err();
  EXPECT_THAT(fake_.Authorizations(), ElementsAre("Bearer ctx-token"));
}

// flag > UPTIME_* variable > context > default, setting by setting.
TEST_F(ConfigCommandsTest, FlagsAndVariablesOverrideTheContext) {
  ASSERT_EQ(Bare({"config", "set-context", "dead", "--addr", "127.0.0.1:1", "--token",
                  "ctx-token", "--use"}),
            0);
  // The flag wins for the address; the token still comes from the context.
  EXPECT_EQ(Bare({"--addr", fake_.addr(), "cluster"}), 0) << err();
  // The variable wins over the context, and the flag over the variable.
  setenv("UPTIME_TOKEN", "env-token", 1);
  EXPECT_EQ(Bare({"--addr", fake_.addr(), "cluster"}), 0) << err();
  EXPECT_EQ(Bare({"--addr", fake_.addr(), "--token", "flag-token", "cluster"}), 0) << err();
  unsetenv("UPTIME_TOKEN");
  setenv("UPTIME_ADDR", fake_.addr().c_str(), 1);
  EXPECT_EQ(Bare({"cluster"}), 0) << err();
  unsetenv("UPTIME_ADDR");
  EXPECT_THAT(fake_.Authorizations(), ElementsAre("Bearer ctx-token", "Bearer env-token",
                                                  "Bearer flag-token", "Bearer ctx-token"));
  // Nothing overrides it here: the context's dead address.
  EXPECT_EQ(Bare({"cluster"}), kExitUnavailable);
}

TEST_F(ConfigCommandsTest, ContextFlagAndVariableChooseAnother) {
  AddFakeContext("fake", "fake-token");
  ASSERT_EQ(Bare({"config", "set-context", "dead", "--addr", "127.0.0.1:1", "--use"}), 0);
  EXPECT_EQ(Bare({"--context", "fake", "cluster"}), 0) << err();
  setenv("UPTIME_CONTEXT", "fake", 1);
  EXPECT_EQ(Bare({"cluster"}), 0) << err();
  unsetenv("UPTIME_CONTEXT");
  EXPECT_THAT(fake_.Authorizations(), ElementsAre("Bearer fake-token", "Bearer fake-token"));

  EXPECT_EQ(Bare({"--context", "nope", "cluster"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--context: no context 'nope' in " + config_path()));
}

TEST_F(ConfigCommandsTest, TokenFileRelativeToTheConfigFile) {
  AddFakeContext("fake", "unused");
  std::ofstream(std::filesystem::path(config_path()).parent_path() / "token") << "file-token\n";
  // A hand-edited file with a relative token-file.
  WriteFile("current-context: fake\ncontexts:\n  - name: fake\n    addr: " + fake_.addr() +
            "\n    token-file: token\n");
  EXPECT_EQ(Bare({"cluster"}), 0) << err();
  EXPECT_THAT(fake_.Authorizations(), ElementsAre("Bearer file-token"));

  WriteFile("current-context: fake\ncontexts:\n  - name: fake\n    token-file: missing\n");
  EXPECT_EQ(Bare({"cluster"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("context 'fake': --token-file: cannot read"));
}

TEST_F(ConfigCommandsTest, MalformedFileIsAUsageErrorNamingLineAndField) {
  WriteFile("current-context: a\ncontexts:\n  - name: a\n    timeout: soon\n");
  EXPECT_EQ(Bare({"cluster"}), kExitUsage);
  EXPECT_THAT(err(),
              HasSubstr(config_path() + ":4: contexts[0].timeout: expected a positive duration"));
  EXPECT_EQ(Bare({"config", "get-contexts"}), kExitUsage);
  EXPECT_EQ(fake_.calls(), 0);
  // Commands that need no coordinator do not read it.
  EXPECT_EQ(Bare({"version"}), 0);
}

}  // namespace
}  // namespace uptime::cli
