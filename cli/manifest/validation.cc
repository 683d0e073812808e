#include "cli/manifest/validation.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "coordinator/catalog/channel_validation.h"
#include "coordinator/catalog/maintenance_validation.h"
#include "coordinator/catalog/monitor_validation.h"
#include "coordinator/catalog/status_page_validation.h"
#include "coordinator/notifiers/notifier.h"

namespace uptime::cli::manifest {
namespace {

// The request path prefix the server's validation uses for each kind.
absl::string_view RequestPrefix(Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return "channel";
    case Kind::kMonitor:
      return "monitor";
    case Kind::kMaintenanceWindow:
      return "window";
    case Kind::kStatusPage:
      return "status_page";
  }
  return "";
}

// Drops the last component of a proto path: "a.b[2]" -> "a.b", "a.b" -> "a".
bool Shorten(std::string* path) {
  const size_t cut = path->find_last_of(".[");
  if (cut == std::string::npos) return false;
  path->resize(cut);
  return true;
}

// The built-in notifier types, whose config rules the server applies.
const notifiers::NotifierRegistry& BuiltinNotifiers() {
  static const notifiers::NotifierRegistry* registry = [] {
    auto* r = new notifiers::NotifierRegistry();
    (void)notifiers::RegisterBuiltinNotifiers(r);
    return r;
  }();
  return *registry;
}

// Runs the server's own checks on `object` after the server's defaults.
// References are still names here: they pass as "existing" and are checked
// by name instead (ValidateManifest). A window's "not over yet" check is the
// server's on create only, so it is not repeated offline.
absl::Status ValidateObject(const Object& object, bool* plugin_type) {
  const auto exists = [](const std::string&) { return true; };
  switch (object.kind) {
    case Kind::kMonitor: {
      v1::Monitor monitor = std::get<v1::Monitor>(object.message);
      coordinator::ApplyMonitorDefaults(&monitor);
      return coordinator::ValidateMonitor(monitor, "monitor", exists);
    }
    case Kind::kChannel: {
      const auto& channel = std::get<v1::Channel>(object.message);
      // A plugin's type is known only to coordinators that load the plugin.
      *plugin_type = !channel.type().empty() && BuiltinNotifiers().Find(channel.type()) == nullptr;
      if (*plugin_type) return absl::OkStatus();
      return coordinator::ValidateChannel(channel, BuiltinNotifiers());
    }
    case Kind::kMaintenanceWindow:
      return coordinator::ValidateMaintenanceWindow(std::get<v1::MaintenanceWindow>(object.message),
                                                    exists);
    case Kind::kStatusPage:
      return coordinator::ValidateStatusPage(std::get<v1::StatusPage>(object.message), exists);
  }
  return absl::OkStatus();
}

}  // namespace

Diagnostic DiagnosticFor(const Object& object, const absl::Status& status) {
  const std::string text(status.message());
  const size_t colon = text.find(": ");
  std::string path = colon == std::string::npos ? "" : text.substr(0, colon);
  std::string message = colon == std::string::npos ? text : text.substr(colon + 2);
  const std::string prefix(RequestPrefix(object.kind));
  if (path == prefix) {
    path.clear();
  } else if (absl::StartsWith(path, prefix + ".")) {
    path = path.substr(prefix.size() + 1);
  } else {
    // Not a field path: keep the whole text as the message.
    message = text;
    path.clear();
  }
  Diagnostic d{object.file, object.position, path.empty() ? "spec" : "spec." + path, message,
               false};
  const std::string original = path;
  for (std::string p = path; !p.empty();) {
    auto it = object.positions.find(p);
    if (it != object.positions.end()) {
      d.position = it->second.position;
      // The remainder past the node found, if any, keeps the server's words.
      d.field = it->second.yaml_path + original.substr(p.size());
      break;
    }
    if (!Shorten(&p)) break;
  }
  return d;
}

std::vector<Diagnostic> ValidateManifest(const Manifest& manifest, const KnownFn* known) {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  for (const Object& object : manifest.objects) {
    bool plugin_type = false;
    if (absl::Status s = ValidateObject(object, &plugin_type); !s.ok()) {
      errors.push_back(DiagnosticFor(object, s));
    }
    if (plugin_type) {
      auto it = object.positions.find("type");
      warnings.push_back({object.file,
                          it != object.positions.end() ? it->second.position : object.position,
                          "spec.type",
                          absl::StrCat("'", std::get<v1::Channel>(object.message).type(),
                                       "' is not a built-in type; its config is checked by the "
                                       "coordinator that loads the plugin"),
                          true});
    }
    for (const Reference& ref : object.references) {
      if (manifest.Find(ref.target, ref.name) != nullptr) continue;
      if (known != nullptr && (*known)(ref.target, ref.name)) continue;
      Diagnostic d{
          object.file, ref.where.position, ref.where.yaml_path,
          absl::StrCat(KindName(ref.target), " '", ref.name, "' is not defined in the files",
                       known != nullptr ? " nor on the server" : "; it must exist on the server"),
          known == nullptr};
      (known == nullptr ? warnings : errors).push_back(std::move(d));
    }
  }
  errors.insert(errors.end(), warnings.begin(), warnings.end());
  return errors;
}

}  // namespace uptime::cli::manifest
