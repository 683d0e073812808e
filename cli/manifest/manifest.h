// Manifests: the YAML documents `uptimectl apply|diff|validate -f` read.
//
// A document names one object of the public API:
//
//   apiVersion: uptime.dev/v1
//   kind: Monitor            # Channel, Monitor, MaintenanceWindow, StatusPage
//   metadata:
//     name: checkout         # a status page's slug
//     labels: {team: shop}
//   spec:                    # the protobuf JSON mapping of the v1 message,
//     http: {url: https://shop.example.com/health}   # minus id, name, labels
//     channels: [oncall]     # and output-only fields; references by NAME
//
// Files hold one or more documents (`---`); a directory is read recursively
// (*.yaml, *.yml, in sorted path order). `${VAR}` in values is replaced from
// the environment (see env_substitution.h). Loading never stops at the first
// problem: every issue of every file is collected with its file:line:column,
// so one run shows everything to fix, and a caller changes nothing unless the
// list is empty.
//
// Example:
//   LoadResult loaded = LoadManifests({"deploy/examples"}, ProcessEnv());
//   for (const Diagnostic& d : loaded.diagnostics) std::cerr << d.ToString() << "\n";
#ifndef UPTIME_CLI_MANIFEST_MANIFEST_H_
#define UPTIME_CLI_MANIFEST_MANIFEST_H_

#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "cli/manifest/env_substitution.h"
#include "cli/manifest/proto_yaml.h"
#include "uptime/v1/maintenance.pb.h"
#include "uptime/v1/monitor.pb.h"
#include "uptime/v1/notification.pb.h"
#include "uptime/v1/status_page.pb.h"

namespace uptime::cli::manifest {

inline constexpr char kApiVersion[] = "uptime.dev/v1";
// Marks objects apply owns: --prune deletes only these.
inline constexpr char kManagedByLabel[] = "uptime.dev/managed-by";
inline constexpr char kManagedByValue[] = "uptimectl";
// On channels: a salted hash of the config last applied, so a changed secret
// is found although the server only returns secrets redacted.
inline constexpr char kConfigHashLabel[] = "uptime.dev/config-hash";

// In dependency order: what later kinds refer to comes first.
enum class Kind { kChannel = 0, kMonitor = 1, kMaintenanceWindow = 2, kStatusPage = 3 };
inline constexpr Kind kAllKinds[] = {Kind::kChannel, Kind::kMonitor, Kind::kMaintenanceWindow,
                                     Kind::kStatusPage};

absl::string_view KindName(Kind kind);  // "Monitor"
// "Monitor", "monitor", "monitors", "mw", ... -> the kind; false if unknown.
bool ParseKind(absl::string_view text, Kind* kind);

// The document format's departures from the JSON mapping (hidden and renamed
// fields), shared by reading, export and the JSON Schema.
const FormatRules& DocumentRules();

using ObjectMessage = std::variant<v1::Channel, v1::Monitor, v1::MaintenanceWindow, v1::StatusPage>;

// `message`'s name (a page's slug).
std::string NameOf(const google::protobuf::Message& message);
void SetName(google::protobuf::Message* message, const std::string& name);
// The labels map through reflection: Channel, MaintenanceWindow and
// StatusPage gained labels after Monitor. Null when `message` has none.
const google::protobuf::FieldDescriptor* LabelsField(const google::protobuf::Message& message);
std::map<std::string, std::string> LabelsOf(const google::protobuf::Message& message);
void SetLabels(google::protobuf::Message* message,
               const std::map<std::string, std::string>& labels);

// A reference by name from one object to another, e.g. a monitor's channel.
struct Reference {
  Kind target = Kind::kChannel;
  std::string name;
  std::string proto_path;  // where the name sits ("channel_ids[0]")
  Located where;
};

// Lists the references held in `message` (names in id fields).
std::vector<Reference> ReferencesOf(Kind kind, const google::protobuf::Message& message);
// Replaces each referenced name in `message` by what `map` returns.
void RewriteReferences(Kind kind, google::protobuf::Message* message,
                       const std::function<std::string(Kind, const std::string&)>& map);

struct Object {
  Kind kind = Kind::kChannel;
  std::string name;
  std::string file;
  Position position;  // of the document
  // The message with name and labels set and references still as names.
  ObjectMessage message;
  std::map<std::string, Located> positions;  // by proto path; see ReadSink
  std::set<std::string> secret_paths;        // proto paths that used ${VAR}
  std::vector<Reference> references;

  const google::protobuf::Message& proto() const;
  google::protobuf::Message* mutable_proto();
};

// One problem, printed as "file:line:column: field: message".
struct Diagnostic {
  std::string file;
  Position position;
  std::string field;  // document path ("spec.http.url"); may be empty
  std::string message;
  bool warning = false;

  std::string ToString() const;
};

struct Manifest {
  std::vector<Object> objects;         // sorted by kind (dependency order), then by file order
  std::vector<std::string> variables;  // every ${VAR} used, deduplicated, sorted

  const Object* Find(Kind kind, const std::string& name) const;
};

struct LoadResult {
  Manifest manifest;
  std::vector<Diagnostic> diagnostics;  // errors only; empty means usable
};

// Reads files and directories (recursively) in the order given.
LoadResult LoadManifests(const std::vector<std::string>& paths, const EnvLookupFn& env);

// Parses the text of one file; `file` names it in diagnostics. Appends.
void ParseManifestText(const std::string& file, absl::string_view text, const EnvLookupFn& env,
                       LoadResult* result);

// Orders objects and reports duplicates; call once after the last parse.
void FinishManifest(LoadResult* result);

}  // namespace uptime::cli::manifest

#endif  // UPTIME_CLI_MANIFEST_MANIFEST_H_
