// The terminal a person types secrets at, behind an interface so tests of
// the commands that prompt (passwords) script the answers instead of needing
// a real terminal.
//
// Example:
//   std::shared_ptr<Terminal> tty = StdioTerminal();
//   if (!tty->IsInteractive()) return Error("give --password-file");
//   ASSIGN_OR_RETURN(std::string password, tty->ReadHidden("Password: "));
#ifndef UPTIME_CLI_TERMINAL_H_
#define UPTIME_CLI_TERMINAL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime::cli {

// Not thread-safe: one prompt at a time.
class Terminal {
 public:
  virtual ~Terminal() = default;

  // Whether there is a person to prompt: the input is a terminal, not a pipe
  // or a file.
  virtual bool IsInteractive() = 0;

  // Shows `prompt`, reads one line with echo turned off and restores the
  // terminal's settings, whatever happens. The line break is not part of the
  // result. INVALID_ARGUMENT when the input ends before a line break
  // (Ctrl-D); UNAVAILABLE when the terminal cannot be read or set.
  virtual absl::StatusOr<std::string> ReadHidden(absl::string_view prompt) = 0;
};

// A terminal on file descriptors: reads and sets `in_fd` (which must be the
// terminal for IsInteractive() to hold), writes prompts to `out_fd`. Owns
// neither descriptor.
class FdTerminal final : public Terminal {
 public:
  FdTerminal(int in_fd, int out_fd) : in_fd_(in_fd), out_fd_(out_fd) {}

  bool IsInteractive() override;
  absl::StatusOr<std::string> ReadHidden(absl::string_view prompt) override;

 private:
  const int in_fd_;
  const int out_fd_;
};

// The process's standard input, prompting on standard error (standard output
// may be a pipe into another program, which must not get the prompt).
std::shared_ptr<Terminal> StdioTerminal();

}  // namespace uptime::cli

#endif  // UPTIME_CLI_TERMINAL_H_
