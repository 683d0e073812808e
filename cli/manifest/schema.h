// The JSON Schema of manifest documents, generated from the proto
// descriptors and DocumentRules(), so it cannot drift from what apply reads:
// schema_test compares it with docs/schema/uptime-v1.schema.json, and
// `uptime_manifest_schema > docs/schema/uptime-v1.schema.json` regenerates it.
#ifndef UPTIME_CLI_MANIFEST_SCHEMA_H_
#define UPTIME_CLI_MANIFEST_SCHEMA_H_

#include <string>

namespace uptime::cli::manifest {

// Pretty-printed JSON (draft-07, as yaml-language-server reads it), ending
// with a newline.
std::string ManifestJsonSchema();

}  // namespace uptime::cli::manifest

#endif  // UPTIME_CLI_MANIFEST_SCHEMA_H_
