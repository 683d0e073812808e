// `uptimectl export`: the server's objects as manifest documents that
// `apply -f` takes back unchanged.
//
// Ids become names, output-only fields and uptimectl's own labels are left
// out, and each secret (a channel config value the server returns redacted)
// becomes a `${VAR}` placeholder named after the channel and key
// (channel "slack-ops", key "webhook_url" -> SLACK_OPS_WEBHOOK_URL), listed
// in `variables` so the caller can say which ones to set. A literal `${` in
// any other value is written `$${`.
#ifndef UPTIME_CLI_MANIFEST_EXPORT_H_
#define UPTIME_CLI_MANIFEST_EXPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/manifest/manifest.h"
#include "cli/manifest/plan.h"

namespace uptime::cli::manifest {

struct ExportOptions {
  std::vector<Kind> kinds;     // empty: all, in dependency order
  std::string label_selector;  // empty: everything
};

struct ExportResult {
  std::string yaml;  // documents separated by ---
  int documents = 0;
  std::vector<std::string> variables;  // "NAME (Channel/slack-ops config.webhook_url)"
  std::vector<std::string> warnings;   // e.g. a reference to a deleted object
};

// INVALID_ARGUMENT naming --selector when the selector does not parse.
absl::StatusOr<ExportResult> ExportObjects(const ServerState& state, const ExportOptions& options);

// "slack-ops", "webhook_url" -> "SLACK_OPS_WEBHOOK_URL".
std::string SecretVariableName(const std::string& channel, const std::string& key);

}  // namespace uptime::cli::manifest

#endif  // UPTIME_CLI_MANIFEST_EXPORT_H_
