#include "common/flags.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace uptime {

absl::Status CheckUnknownEnvironment(const CLI::App& app) {
  std::set<std::string> known;
  for (const CLI::Option* option : app.get_options()) {
    if (!option->get_envname().empty()) known.insert(option->get_envname());
  }
  for (char** entry = environ; *entry != nullptr; ++entry) {
    absl::string_view variable(*entry);
    std::string name(variable.substr(0, variable.find('=')));
    if (absl::StartsWith(name, "UPTIME_") && known.count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": no flag reads this environment variable (misspelt?)"));
    }
  }
  return absl::OkStatus();
}

std::string EnvName(absl::string_view flag) {
  std::string name = absl::StrCat("UPTIME_", flag);
  for (char& c : name) {
    c = c == '-' ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return name;
}

CLI::Option* AddSwitch(CLI::App& app, const std::string& name, bool& var, const std::string& help) {
  return app.add_flag("--" + name, var, help)->envname(EnvName(name));
}

}  // namespace uptime
