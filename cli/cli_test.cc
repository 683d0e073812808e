// RunCli as a whole: global flags and their UPTIME_* fallbacks, the bearer
// token on the wire, error reporting and exit codes.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "cli/commands.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

TEST_F(CliTest, TokenIsSentAsBearerMetadata) {
  ASSERT_EQ(Run({"--token", "s3cret", "status"}), kExitOk) << err();
  EXPECT_THAT(fake_.Authorizations(), ElementsAre("Bearer s3cret"));
}

TEST_F(CliTest, NoTokenSendsNoMetadata) {
  ASSERT_EQ(Run({"status"}), kExitOk) << err();
  EXPECT_THAT(fake_.Authorizations(), ElementsAre(""));
}

TEST_F(CliTest, TokenFromEnvironmentOnEveryPage) {
  setenv("UPTIME_TOKEN", "from-env", 1);
  v1::MonitorStatus s;
  for (const char* id : {"a", "b", "c"}) {
    s.set_monitor_id(id);
    fake_.AddStatus(s);
  }
  ASSERT_EQ(Run({"status"}), kExitOk) << err();
  EXPECT_EQ(fake_.calls(), 2);
  EXPECT_THAT(fake_.Authorizations(), Each("Bearer from-env"));
}

TEST_F(CliTest, TokenFromFileDropsTrailingNewline) {
  const std::string path = ::testing::TempDir() + "/uptimectl-token";
  std::ofstream(path) << "file-token\n";
  ASSERT_EQ(Run({"--token-file", path, "agents"}), kExitOk) << err();
  EXPECT_THAT(fake_.Authorizations(), ElementsAre("Bearer file-token"));
  std::remove(path.c_str());
}

TEST_F(CliTest, TokenAndTokenFileTogetherIsUsageError) {
  EXPECT_EQ(Run({"--token", "a", "--token-file", "/dev/null", "status"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--token"));
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CliTest, OutputFormatFromEnvironment) {
  setenv("UPTIME_OUTPUT", "json", 1);
  ASSERT_EQ(Run({"cluster"}), kExitOk) << err();
  EXPECT_THAT(out(), StartsWith("{"));
}

TEST_F(CliTest, AddrFromEnvironment) {
  setenv("UPTIME_ADDR", fake_.addr().c_str(), 1);
  std::ostringstream out, err;
  CliEnv env;
  env.out = &out;
  env.err = &err;
  EXPECT_EQ(RunCli({"cluster"}, env), kExitOk) << err.str();
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(CliTest, UnreachableCoordinatorIsNamed) {
  // Nothing listens on port 1 (tcpmux) on a build machine: connection refused.
  EXPECT_EQ(RunAt("127.0.0.1:1", {"status"}), kExitUnavailable);
  EXPECT_THAT(err(), StartsWith("error: UNAVAILABLE: cannot reach coordinator at 127.0.0.1:1"));
  EXPECT_THAT(out(), IsEmpty());
}

TEST_F(CliTest, UnavailableFromALiveServerIsNotCalledUnreachable) {
  fake_.FailWith(grpc::Status(grpc::StatusCode::UNAVAILABLE, "not the leader"));
  EXPECT_EQ(Run({"cluster"}), kExitUnavailable);
  EXPECT_EQ(err(), "error: UNAVAILABLE: not the leader\n");
}

TEST_F(CliTest, AuthFailuresExitWithFour) {
  fake_.FailWith(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid token"));
  EXPECT_EQ(Run({"agents"}), kExitDenied);
  EXPECT_EQ(err(), "error: UNAUTHENTICATED: invalid token\n");
}

TEST_F(CliTest, DeadlineExceededIsUnavailable) {
  fake_.FailWith(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "took too long"));
  EXPECT_EQ(Run({"agents"}), kExitUnavailable);
  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs the admin role"));
  EXPECT_EQ(Run({"cluster"}), kExitDenied);
  fake_.FailWith(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no"));
  EXPECT_EQ(Run({"cluster"}), kExitError);
}

TEST(ExitCodeForTest, EveryCodeHasOne) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), kExitNotFound);
  EXPECT_EQ(ExitCodeFor(absl::UnauthenticatedError("x")), kExitDenied);
  EXPECT_EQ(ExitCodeFor(absl::PermissionDeniedError("x")), kExitDenied);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), kExitUnavailable);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("x")), kExitUnavailable);
  for (absl::Status s : {absl::InvalidArgumentError("x"), absl::AlreadyExistsError("x"),
                         absl::FailedPreconditionError("x"), absl::InternalError("x"),
                         absl::UnknownError("x"), absl::ResourceExhaustedError("x")}) {
    EXPECT_EQ(ExitCodeFor(s), kExitError) << s;
  }
  // The user's mistake found before any RPC, whatever its code.
  EXPECT_EQ(ExitCodeFor(UsageError(absl::InvalidArgumentError("x"))), kExitUsage);
  EXPECT_EQ(ExitCodeFor(UsageError(absl::NotFoundError("no such file"))), kExitUsage);
}

TEST_F(CliTest, HelpListsTheExitCodesOnlyAtTheTop) {
  ASSERT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("Exit codes:\n  0  "));
  for (const char* line : {"  3                           not found\n",
                           "  4                           unauthenticated or permission denied\n",
                           "  5                           coordinator unreachable"}) {
    EXPECT_THAT(out(), HasSubstr(line));
  }
  ASSERT_EQ(Run({"monitors", "--help"}), kExitOk);
  EXPECT_THAT(out(), Not(HasSubstr("Exit codes")));
}

TEST_F(CliTest, BadGlobalFlagsAreUsageErrors) {
  EXPECT_EQ(Run({"-o", "xml", "status"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--output"));
  EXPECT_EQ(Run({"--timeout", "soon", "status"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--timeout"));
  EXPECT_EQ(Run({"--tls-ca", "/nonexistent/ca.pem", "status"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--tls"));
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CliTest, UnknownCommandsAreUsageErrors) {
  EXPECT_EQ(Run({"frobnicate"}), kExitUsage);
  EXPECT_THAT(err(), StartsWith("error: unknown command 'frobnicate'"));
  EXPECT_EQ(Run({"monitors", "frobnicate"}), kExitUsage);
  EXPECT_THAT(err(), StartsWith("error: unknown command 'frobnicate' for 'monitors'"));
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_EQ(Run({"monitors", "list", "--bogus"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--bogus"));
}

TEST_F(CliTest, HelpGoesToStdoutWithExitZero) {
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("monitors"));
  EXPECT_THAT(out(), HasSubstr("UPTIME_ADDR"));
  EXPECT_EQ(Run({"monitors", "add", "--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("--expect-status"));
  EXPECT_THAT(err(), IsEmpty());
}

}  // namespace
}  // namespace uptime::cli
