#include "cli/terminal.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace uptime::cli {
namespace {

// write() all of `text`, retrying after signals; prompts are best effort.
void WriteAll(int fd, absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// Restores the terminal's settings when the read ends, on every path.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {}
  ~EchoOff() {
    if (saved_) ::tcsetattr(fd_, TCSAFLUSH, &original_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

  absl::Status Apply() {
    if (::tcgetattr(fd_, &original_) != 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot read the terminal's settings: ", std::strerror(errno)));
    }
    saved_ = true;
    termios quiet = original_;
    // ECHONL off as well: the line break is echoed by us, after the read.
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
    if (::tcsetattr(fd_, TCSAFLUSH, &quiet) != 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot turn off the terminal's echo: ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }

 private:
  const int fd_;
  termios original_{};
  bool saved_ = false;
};

}  // namespace

bool FdTerminal::IsInteractive() { return ::isatty(in_fd_) == 1; }

absl::StatusOr<std::string> FdTerminal::ReadHidden(absl::string_view prompt) {
  std::string line;
  {
    EchoOff echo_off(in_fd_);
    if (absl::Status s = echo_off.Apply(); !s.ok()) return s;
    // After echo is off: nothing typed from here on is shown.
    WriteAll(out_fd_, prompt);
    // Byte by byte: buffering would swallow input meant for later reads.
    while (true) {
      char c;
      const ssize_t n = ::read(in_fd_, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        WriteAll(out_fd_, "\n");
        return absl::UnavailableError(
            absl::StrCat("cannot read from the terminal: ", std::strerror(errno)));
      }
      if (n == 0) {
        WriteAll(out_fd_, "\n");
        return absl::InvalidArgumentError("input ended before the line was complete");
      }
      if (c == '\n') break;
      line.push_back(c);
    }
  }
  // The Enter the person typed was not echoed: end the prompt's line.
  WriteAll(out_fd_, "\n");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::shared_ptr<Terminal> StdioTerminal() {
  return std::make_shared<FdTerminal>(STDIN_FILENO, STDERR_FILENO);
}

}  // namespace uptime::cli
