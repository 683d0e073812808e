// uptimectl's config file: named contexts (a coordinator address and how to
// authenticate to it), like kubectl's kubeconfig, so a shell user switches
// between clusters with `uptimectl config use-context` instead of retyping
// --addr, --token-file and the TLS flags.
//
// Location, first that applies: $UPTIMECTL_CONFIG, else
// $XDG_CONFIG_HOME/uptimectl/config.yaml, else
// $HOME/.config/uptimectl/config.yaml. A missing file is an empty one.
//
// Format (every key but `name` optional; unknown keys are errors, so a typo
// does not silently drop a setting):
//   current-context: prod
//   contexts:
//     - name: prod
//       addr: coordinator.example.com:7070
//       token-file: ~/.uptime/prod.token   # or `token: ...` (inline)
//       timeout: 10s
//       tls:
//         enabled: true
//         ca: /etc/uptime/ca.pem
//         cert: client.pem                 # relative to the config file
//         key: client.key
//         server-name: coordinator.internal
//
// Precedence of each connection setting: the command-line flag, then its
// UPTIME_* variable, then the context, then the built-in default.
//
// The file may hold tokens: it is written atomically (a temporary file in
// the same directory, then rename) with mode 0600, and `config view` and
// `config get-contexts` never print a token.
//
// Example:
//   ASSIGN_OR_RETURN(ContextsFile file, LoadContexts(path));
//   ASSIGN_OR_RETURN(std::optional<Context> chosen, SelectContext(file, flag));
#ifndef UPTIME_CLI_CONFIG_CONTEXTS_H_
#define UPTIME_CLI_CONFIG_CONTEXTS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace uptime::cli {

// Environment lookup, injected so tests neither read nor write the
// developer's own config file.
using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

// std::getenv; nullopt when unset.
std::optional<std::string> SystemGetEnv(const std::string& name);

// A context's TLS settings; unset fields leave the flag's default.
struct ContextTls {
  std::optional<bool> enabled;
  std::string ca = {};
  std::string cert = {};
  std::string key = {};
  std::string server_name = {};
};

struct Context {
  std::string name = {};
  std::string addr = {};
  std::string token = {};       // inline; token_file is preferred
  std::string token_file = {};  // as written in the file
  std::string timeout = {};     // a duration such as "10s"
  ContextTls tls = {};
};

struct ContextsFile {
  std::string current_context = {};
  std::vector<Context> contexts;  // in file order; names unique

  Context* Find(absl::string_view name);
  const Context* Find(absl::string_view name) const;
};

// The config file's path by the rules above; FAILED_PRECONDITION when
// neither variable nor HOME is set.
absl::StatusOr<std::string> ConfigPath(const GetEnv& getenv);

// Parses `text`; `path` only names the file in errors, which read
// "PATH:LINE: FIELD: problem" (INVALID_ARGUMENT).
absl::StatusOr<ContextsFile> ParseContexts(absl::string_view text, absl::string_view path);

// The file at `path`, empty when it does not exist; parse errors as above.
absl::StatusOr<ContextsFile> LoadContexts(const std::string& path);

// The YAML ParseContexts reads back. With `redact`, tokens show as REDACTED.
std::string SerializeContexts(const ContextsFile& file, bool redact);

// Writes `file` to `path` atomically with mode 0600, creating the directory
// (mode 0700) when missing. On failure the old file is left as it was.
absl::Status SaveContexts(const std::string& path, const ContextsFile& file);

// The context to use: `flag` (--context / UPTIME_CONTEXT) when non-empty,
// else the file's current context, else none. A name that is not in the
// file is INVALID_ARGUMENT naming where it came from.
absl::StatusOr<std::optional<Context>> SelectContext(const ContextsFile& file,
                                                     const std::string& flag,
                                                     absl::string_view path);

// A path from the file as the OS needs it: "~/" expands to $HOME, relative
// paths are relative to the config file's directory.
std::string ContextFilePath(absl::string_view value, absl::string_view config_path,
                            const GetEnv& getenv);

}  // namespace uptime::cli

#endif  // UPTIME_CLI_CONFIG_CONTEXTS_H_
