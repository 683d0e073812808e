// uptimectl reads monitors-as-code YAML written by people (and by templates
// that go wrong). The loader must turn any text into objects or diagnostics
// that name a place, never a crash, a hang or an unbounded allocation.
#include <cstdint>
#include <string>

#include "cli/manifest/env_substitution.h"
#include "cli/manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Bigger inputs only make yaml-cpp slower, not the loader more interesting.
  if (size > 64 * 1024) return 0;
  namespace manifest = uptime::cli::manifest;
  static const manifest::EnvLookupFn* const env =
      new manifest::EnvLookupFn(manifest::FixedEnv({{"HOOK", "https://hooks.example/T0/B0"},
                                                    {"EMPTY", ""},
                                                    {"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/x"},
                                                    {"OPS_WEBHOOK_SECRET", "s3cret"}}));
  manifest::LoadResult result;
  manifest::ParseManifestText("fuzz.yaml",
                              absl::string_view(reinterpret_cast<const char*>(data), size), *env,
                              &result);
  manifest::FinishManifest(&result);
  for (const manifest::Diagnostic& d : result.diagnostics) {
    // Every diagnostic says something.
    if (d.message.empty()) __builtin_trap();
    (void)d.ToString();
  }
  if (result.diagnostics.empty()) {
    for (const manifest::Object& object : result.manifest.objects) {
      if (object.name.empty()) __builtin_trap();
      (void)object.proto().ByteSizeLong();
    }
  }
  return 0;
}
