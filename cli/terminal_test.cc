// FdTerminal on a pseudo-terminal: echo is off while a secret is typed, and
// the terminal's settings come back afterwards.
#include "cli/terminal.h"

#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PtyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::openpty(&controller_, &terminal_, nullptr, nullptr, nullptr), 0);
  }
  void TearDown() override {
    ::close(controller_);
    ::close(terminal_);
  }

  // What the terminal showed, until `until` appears (or the pty is drained).
  std::string ReadShown(const std::string& until) {
    std::string shown;
    char buf[256];
    while (shown.find(until) == std::string::npos) {
      const ssize_t n = ::read(controller_, buf, sizeof(buf));
      if (n <= 0) break;
      shown.append(buf, static_cast<size_t>(n));
    }
    return shown;
  }

  int controller_ = -1;  // the person's side: what they type and see
  int terminal_ = -1;    // the program's side
};

TEST_F(PtyTest, ReadsWithoutEchoAndRestores) {
  FdTerminal terminal(terminal_, terminal_);
  EXPECT_TRUE(terminal.IsInteractive());
  absl::StatusOr<std::string> read;
  std::thread reader([&] { read = terminal.ReadHidden("Password: "); });
  // Typed only once the prompt shows: echo is off by then.
  std::string shown = ReadShown("Password: ");
  ASSERT_EQ(::write(controller_, "s3cret pw\n", 10), 10);
  reader.join();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "s3cret pw");
  shown += ReadShown("\n");
  EXPECT_THAT(shown, Not(HasSubstr("s3cret")));

  termios settings;
  ASSERT_EQ(::tcgetattr(terminal_, &settings), 0);
  EXPECT_NE(settings.c_lflag & ECHO, 0u);  // restored
}

TEST_F(PtyTest, EndOfInputIsAnError) {
  FdTerminal terminal(terminal_, terminal_);
  absl::StatusOr<std::string> read;
  std::thread reader([&] { read = terminal.ReadHidden("Password: "); });
  ReadShown("Password: ");
  ASSERT_EQ(::write(controller_, "\x04", 1), 1);  // Ctrl-D at the start of a line
  reader.join();
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FdTerminalTest, PipeIsNotInteractive) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  FdTerminal terminal(fds[0], fds[1]);
  EXPECT_FALSE(terminal.IsInteractive());
  EXPECT_FALSE(terminal.ReadHidden("Password: ").ok());
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace uptime::cli
