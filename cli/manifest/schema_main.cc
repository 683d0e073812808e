// Prints the manifest JSON Schema: regenerate the checked-in copy with
//   build/bin/uptime_manifest_schema > docs/schema/uptime-v1.schema.json
#include <iostream>

#include "cli/manifest/schema.h"

int main() {
  std::cout << uptime::cli::manifest::ManifestJsonSchema();
  return 0;
}
