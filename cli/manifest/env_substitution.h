// `${VAR}` substitution in manifest values, so secrets (webhook URLs, routing
// keys) stay out of the files and come from the environment at apply time.
//
// `${NAME}` is replaced by the variable's value; NAME is [A-Za-z_][A-Za-z0-9_]*.
// `$${` stands for a literal `${` (and nothing else is special: a `$` not
// followed by `{` is kept as is). An unset variable, an empty or malformed
// name and an unterminated `${` are errors: silently sending an empty secret
// to the server would be worse than stopping.
//
// Example:
//   ASSIGN_OR_RETURN(Substituted s, SubstituteEnv("${HOOK}", EnvLookup()));
//   // s.text is the value of $HOOK; s.used_variables == {"HOOK"}.
#ifndef UPTIME_CLI_MANIFEST_ENV_SUBSTITUTION_H_
#define UPTIME_CLI_MANIFEST_ENV_SUBSTITUTION_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace uptime::cli::manifest {

// The value of a variable, or nullopt when it is not set.
using EnvLookupFn = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment (getenv).
EnvLookupFn ProcessEnv();

// A fixed set of variables (tests; callers that keep them elsewhere).
EnvLookupFn FixedEnv(std::map<std::string, std::string> variables);

struct Substituted {
  std::string text;
  std::vector<std::string> used_variables;  // in order of appearance
};

struct SubstitutionError {
  size_t offset = 0;  // byte offset in the input where the bad `${` starts
  std::string message;
};

// Either the substituted text or the first error.
struct SubstitutionResult {
  std::optional<Substituted> value;
  SubstitutionError error;
};

SubstitutionResult SubstituteEnv(absl::string_view text, const EnvLookupFn& lookup);

}  // namespace uptime::cli::manifest

#endif  // UPTIME_CLI_MANIFEST_ENV_SUBSTITUTION_H_
