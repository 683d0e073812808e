#include "cli/password_input.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "common/status_macros.h"

namespace uptime::cli {
namespace {

absl::Status Usage(absl::string_view message) {
  return UsageError(absl::InvalidArgumentError(message));
}

// Drops one final "\n" or "\r\n": editors add one, and `echo` does too.
void DropLineBreak(std::string& text) {
  if (absl::EndsWith(text, "\n")) text.pop_back();
  if (absl::EndsWith(text, "\r")) text.pop_back();
}

absl::StatusOr<std::string> FromFile(absl::string_view flag, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Usage(absl::StrCat(flag, ": cannot read '", path, "'"));
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) return Usage(absl::StrCat(flag, ": cannot read '", path, "'"));
  DropLineBreak(text);
  if (text.empty()) return Usage(absl::StrCat(flag, ": '", path, "' is empty"));
  // Several lines would be sent as one password with line breaks in it:
  // never what was meant.
  if (absl::StrContains(text, '\n')) {
    return Usage(absl::StrCat(flag, ": '", path, "' holds more than one line"));
  }
  return text;
}

absl::StatusOr<std::string> FromStdin(PasswordInput& input) {
  std::string line;
  if (input.in == nullptr || !std::getline(*input.in, line)) {
    return Usage("--password-stdin: standard input ended before the password");
  }
  DropLineBreak(line);  // "\r" of a CRLF line
  if (line.empty()) return Usage("--password-stdin: the password line is empty");
  return line;
}

// The status for "nobody to ask": names every way to pass the password.
absl::Status NoTerminal(absl::string_view file_flags) {
  return Usage(absl::StrCat(
      "password: standard input is not a terminal, so it cannot be prompted for; give it with ",
      file_flags, " or --password-stdin (never as a flag value)"));
}

absl::StatusOr<std::string> Prompt(PasswordInput& input, const std::string& prompt) {
  absl::StatusOr<std::string> typed = input.terminal->ReadHidden(prompt);
  if (!typed.ok()) return Usage(absl::StrCat("password: ", typed.status().message()));
  if (typed->empty()) return Usage("password: nothing was typed");
  return typed;
}

bool CanPrompt(PasswordInput& input) {
  return input.terminal != nullptr && input.terminal->IsInteractive();
}

}  // namespace

void AddPasswordFlags(CLI::App& cmd, PasswordFlags& flags, bool current) {
  const std::string group = "Password (typed at a prompt when neither flag is given)";
  CLI::Option* file = cmd.add_option("--password-file", flags.file,
                                     current ? "File holding the new password (one line)"
                                             : "File holding the password (one line)")
                          ->group(group);
  CLI::Option* in =
      cmd.add_flag("--password-stdin", flags.from_stdin,
                   current ? "Read the passwords from standard input: the current one on the "
                             "first line, the new one on the second (unless a file gives it)"
                           : "Read the password from the first line of standard input")
          ->group(group);
  file->excludes(in);
  // A password typed as a flag value stays in the shell's history and shows
  // in `ps`. Refused through hidden options rather than as unknown flags,
  // whose error message would print the value back.
  std::vector<std::pair<std::string, const CLI::Option*>> refused;
  for (const std::string name : {"--password", "--current-password"}) {
    if (name == "--current-password" && !current) continue;
    refused.emplace_back(name, cmd.add_option(name)->group(""));
  }
  cmd.parse_complete_callback([refused] {
    for (const auto& [name, option] : refused) {
      if (option->count() > 0) {
        throw CLI::ValidationError(
            name,
            "passwords are never taken as flag values (they would stay in the shell's history); "
            "use --password-file FILE or --password-stdin");
      }
    }
  });
  if (current) {
    cmd.add_option("--current-password-file", flags.current_file,
                   "File holding your current password (one line)")
        ->group(group);
  }
}

absl::StatusOr<std::string> ReadNewPassword(const PasswordFlags& flags, PasswordInput& input,
                                            absl::string_view prompt) {
  if (!flags.file.empty()) return FromFile("--password-file", flags.file);
  if (flags.from_stdin) return FromStdin(input);
  if (!CanPrompt(input)) return NoTerminal("--password-file FILE");
  ASSIGN_OR_RETURN(std::string first, Prompt(input, absl::StrCat(prompt, ": ")));
  ASSIGN_OR_RETURN(std::string second,
                   Prompt(input, absl::StrCat("Repeat ", absl::AsciiStrToLower(prompt), ": ")));
  if (first != second) return Usage("password: the two entries differ; nothing was changed");
  return first;
}

absl::StatusOr<std::string> ReadCurrentPassword(const PasswordFlags& flags, PasswordInput& input) {
  if (!flags.current_file.empty()) {
    return FromFile("--current-password-file", flags.current_file);
  }
  if (flags.from_stdin) return FromStdin(input);
  if (!CanPrompt(input)) return NoTerminal("--current-password-file and --password-file");
  return Prompt(input, "Current password: ");
}

}  // namespace uptime::cli
