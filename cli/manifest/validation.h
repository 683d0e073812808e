// Offline validation of a manifest against the server's own rules.
//
// The rules are not restated here: each object goes through the same
// functions the coordinator runs (coordinator/catalog/*_validation.h), after
// the same defaults. Their errors name a field by its request path
// ("monitor.http.url: is required"); this maps that path back to the YAML
// node it came from, so the user gets "file:line:column: spec.http.url: ...".
//
// References by name are checked against the manifest itself; a name found
// neither there nor in `known` (the server's objects, when apply has them)
// is an error, or a warning when `known` is null (offline: the object may
// exist on the server).
#ifndef UPTIME_CLI_MANIFEST_VALIDATION_H_
#define UPTIME_CLI_MANIFEST_VALIDATION_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/manifest/manifest.h"

namespace uptime::cli::manifest {

// Whether the server has an object of `kind` named `name`.
using KnownFn = std::function<bool(Kind kind, const std::string& name)>;

// Every problem in `manifest`; errors first in file order, then warnings.
std::vector<Diagnostic> ValidateManifest(const Manifest& manifest, const KnownFn* known);

// `status` (INVALID_ARGUMENT "<prefix>.<path>: message") as a diagnostic at
// the position of the closest field of `object` that the path names.
Diagnostic DiagnosticFor(const Object& object, const absl::Status& status);

}  // namespace uptime::cli::manifest

#endif  // UPTIME_CLI_MANIFEST_VALIDATION_H_
