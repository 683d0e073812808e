#include "cli/manifest/env_substitution.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace uptime::cli::manifest {
namespace {

bool IsNameStart(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

EnvLookupFn ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

EnvLookupFn FixedEnv(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
}

SubstitutionResult SubstituteEnv(absl::string_view text, const EnvLookupFn& lookup) {
  Substituted out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 3) == "$${") {
      out.text += "${";
      i += 3;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      out.text += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == absl::string_view::npos) {
      return {std::nullopt, {i, "unterminated ${ (write $${ for a literal ${)"}};
    }
    const std::string name(text.substr(i + 2, close - i - 2));
    bool valid = !name.empty() && IsNameStart(name[0]);
    for (char c : name) valid = valid && IsNameChar(c);
    if (!valid) {
      return {
          std::nullopt,
          {i, absl::StrCat("'${", name,
                           "}' is not a variable reference: names are [A-Za-z_][A-Za-z0-9_]*")}};
    }
    std::optional<std::string> value = lookup(name);
    if (!value.has_value()) {
      return {std::nullopt, {i, absl::StrCat("environment variable ", name, " is not set")}};
    }
    out.text += *value;
    out.used_variables.push_back(name);
    i = close + 1;
  }
  return {std::move(out), {}};
}

}  // namespace uptime::cli::manifest
