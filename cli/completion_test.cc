// `uptimectl completion`: the bash script is sourced from the real binary in a
// real bash and asked for completions the way bash asks (COMP_WORDS and
// COMP_CWORD), monitor ids coming live from the fake coordinator.
#include "cli/completion.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::StartsWith;

// build/bin, where the build puts uptimectl beside this test.
std::string BinDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, n);
  return path.substr(0, path.rfind('/'));
}

std::string Quote(const std::string& word) {
  return absl::StrCat("'", absl::StrReplaceAll(word, {{"'", "'\\''"}}), "'");
}

struct ShellResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

// Runs `script` in bash with uptimectl on PATH.
ShellResult RunBash(const std::string& script) {
  // One file per call: ctest runs the cases of this suite as parallel processes.
  static int calls = 0;
  const std::string file = absl::StrCat(::testing::TempDir(), "/uptimectl-completion-test-",
                                        getpid(), "-", ++calls, ".sh");
  std::ofstream(file) << "export PATH=" << Quote(BinDir()) << ":\"$PATH\"\n" << script;
  ShellResult result;
  FILE* pipe = popen(absl::StrCat("bash ", Quote(file), " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  result.status = pclose(pipe);
  std::remove(file.c_str());
  return result;
}

class CompletionTest : public CliTest {
 protected:
  // What bash offers for the last of `words` (the word at the cursor).
  std::vector<std::string> Complete(const std::vector<std::string>& words) {
    std::vector<std::string> quoted;
    for (const std::string& w : words) quoted.push_back(Quote(w));
    const ShellResult r =
        RunBash(absl::StrCat("source <(uptimectl completion bash) || exit 9\n", "COMP_WORDS=(",
                             absl::StrJoin(quoted, " "), ")\nCOMP_CWORD=", words.size() - 1,
                             "\n__uptimectl_bash\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"));
    EXPECT_EQ(r.status, 0) << r.output;
    std::vector<std::string> lines = absl::StrSplit(r.output, '\n', absl::SkipEmpty());
    std::sort(lines.begin(), lines.end());
    return lines;
  }
};

TEST_F(CompletionTest, BashScriptRegistersItself) {
  const ShellResult r = RunBash("source <(uptimectl completion bash); complete -p uptimectl\n");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "complete -o default -F __uptimectl_bash uptimectl\n");
}

TEST_F(CompletionTest, CommandNames) {
  EXPECT_THAT(Complete({"uptimectl", "mon"}), ElementsAre("monitors"));
  EXPECT_THAT(Complete({"uptimectl", "sta"}), ElementsAre("status", "status-pages"));
  const std::vector<std::string> all = Complete({"uptimectl", ""});
  EXPECT_THAT(all,
              IsSupersetOf({"agents", "audit", "channels", "completion", "monitors", "users"}));
  EXPECT_THAT(all, Not(Contains("__complete")));  // hidden
  EXPECT_THAT(all, Not(Contains("monitor")));     // aliases are accepted, not offered
  EXPECT_THAT(Complete({"uptimectl", "monitors", ""}),
              IsSupersetOf({"add", "get", "list", "pause", "resume", "rm"}));
  EXPECT_THAT(Complete({"uptimectl", "completion", ""}), ElementsAre("bash", "zsh"));
}

TEST_F(CompletionTest, AliasesAndFlagValuesAreWalkedOver) {
  // "monitor" is an alias; "status" here is --addr's value, not a command.
  EXPECT_THAT(Complete({"uptimectl", "--addr", "status", "monitor", "ad"}), ElementsAre("add"));
  // bash splits "host:7070" and "--output=json" into three words each.
  EXPECT_THAT(Complete({"uptimectl", "--addr", "h", ":", "1", "-o", "=", "json", "mw", "l"}),
              ElementsAre("list"));
}

TEST_F(CompletionTest, FlagsOwnAndGlobal) {
  EXPECT_THAT(Complete({"uptimectl", "monitors", "add", "--expect-s"}),
              ElementsAre("--expect-status"));
  EXPECT_THAT(Complete({"uptimectl", "monitors", "add", "--he"}),
              ElementsAre("--header", "--help"));
  EXPECT_THAT(Complete({"uptimectl", "monitors", "add", "--tok"}),
              ElementsAre("--token", "--token-file"));
  EXPECT_THAT(Complete({"uptimectl", "--exp"}), IsEmpty());  // not a global flag
  EXPECT_THAT(Complete({"uptimectl", "-o", ""}), ElementsAre("json", "table", "wide", "yaml"));
  EXPECT_THAT(Complete({"uptimectl", "status", "--output", "y"}), ElementsAre("yaml"));
}

TEST_F(CompletionTest, MonitorIdsComeFromTheCoordinatorOnTheLine) {
  for (const char* id : {"mon-api", "mon-web", "other"}) {
    v1::Monitor m;
    m.set_id(id);
    m.set_name(id);
    fake_.AddMonitor(m);
  }
  EXPECT_THAT(Complete({"uptimectl", "--addr", fake_.addr(), "monitors", "get", "mon-"}),
              ElementsAre("mon-api", "mon-web"));
  EXPECT_THAT(Complete({"uptimectl", "--addr", fake_.addr(), "-o", "yaml", "status", "--help", ""}),
              ElementsAre("mon-api", "mon-web", "other"));
  // Nothing to reach: no candidates and no error on the terminal.
  EXPECT_THAT(Complete({"uptimectl", "--addr", "127.0.0.1:1", "monitors", "rm", "m"}), IsEmpty());
}

TEST_F(CompletionTest, HiddenCompleteListsMonitorIds) {
  v1::Monitor m;
  m.set_id("mon-1");
  fake_.AddMonitor(m);
  ASSERT_EQ(Run({"__complete", "monitors"}), kExitOk) << err();
  EXPECT_EQ(out(), "mon-1\n");
  EXPECT_EQ(Run({"__complete", "channels"}), kExitUsage);
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("completion"));
  EXPECT_THAT(out(), Not(HasSubstr("__complete")));
}

TEST_F(CompletionTest, ZshScript) {
  ASSERT_EQ(Run({"completion", "zsh"}), kExitOk) << err();
  EXPECT_THAT(out(), StartsWith("#compdef uptimectl\n"));
  EXPECT_THAT(out(), HasSubstr("compdef _uptimectl uptimectl\n"));
  EXPECT_THAT(out(), HasSubstr("'monitors') printf '%s\\n' 'add "));
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CompletionTest, NoShellIsUsage) {
  EXPECT_EQ(Run({"completion"}), kExitUsage);
  EXPECT_EQ(Run({"completion", "fish"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("fish"));
}

}  // namespace
}  // namespace uptime::cli
