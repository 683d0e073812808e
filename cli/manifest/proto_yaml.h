// Protobuf messages <-> YAML nodes in the protobuf JSON mapping, driven by the
// message descriptor, with the position of every value kept.
//
// The walk is typed by the descriptor rather than by YAML's own scalar types,
// so `port: "80"` and `port: 80` mean the same and a string field may hold
// `true`. Keys are the JSON names (lowerCamelCase; the proto names are also
// accepted, as protobuf's JSON parser does). Durations accept the JSON form
// ("30s", "1.5s") and Go-style "1m30s"; enums accept the full value name or
// the part after the enum's prefix ("A" for DNS_RECORD_TYPE_A), any case.
//
// A FormatRules table adapts the mapping to documents: some fields may not
// appear (output only, or held in `metadata`), and some id lists are written
// as names under another key (`channels` for Monitor.channel_ids).
//
// Example:
//   YamlReader reader(rules, "spec", &sink);
//   reader.Read(node, &monitor);           // errors and positions go to sink
//   YAML::Node back = MessageToYaml(monitor, rules);
#ifndef UPTIME_CLI_MANIFEST_PROTO_YAML_H_
#define UPTIME_CLI_MANIFEST_PROTO_YAML_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/manifest/env_substitution.h"
#include "google/protobuf/message.h"
#include "yaml-cpp/yaml.h"

namespace uptime::cli::manifest {

// 1-based, as editors show them. {0, 0} means unknown.
struct Position {
  int line = 0;
  int column = 0;
};

Position PositionOf(const YAML::Node& node);

// How documents differ from the plain JSON mapping. Field names are full
// proto names ("uptime.v1.Monitor.channel_ids").
struct FormatRules {
  std::set<std::string> hidden;                // never read nor written
  std::map<std::string, std::string> renamed;  // field -> document key
};

// A problem found while reading, at `yaml_path` ("spec.http.url").
struct ReadIssue {
  Position position;
  std::string yaml_path;
  std::string message;
};

// Where each value came from, by proto path ("http.headers[0].name",
// "channel_ids[1]", "config.webhook_url").
struct Located {
  Position position;
  std::string yaml_path;
};

struct ReadSink {
  std::vector<ReadIssue> issues;
  std::map<std::string, Located> positions;
  // Proto paths whose value used a ${VAR}: treated as secrets when shown.
  std::set<std::string> substituted;
  std::vector<std::string> variables;  // every variable used
};

// Reads YAML into messages. Not thread-safe; one per document.
class YamlReader {
 public:
  // `yaml_prefix` is the document path of the node passed to Read ("spec").
  // `env` resolves ${VAR} in scalar values; null leaves them as written.
  YamlReader(const FormatRules& rules, std::string yaml_prefix, const EnvLookupFn* env,
             ReadSink* sink)
      : rules_(rules), yaml_prefix_(std::move(yaml_prefix)), env_(env), sink_(sink) {}

  // Fills `message` from the mapping `node`; every issue goes to the sink.
  void Read(const YAML::Node& node, google::protobuf::Message* message);

  // The scalar `node` as text with ${VAR} resolved; an issue (and nullopt)
  // when it is not a scalar or a variable is unset. `proto_path` is recorded
  // in `substituted` when a variable was used.
  std::optional<std::string> Scalar(const YAML::Node& node, const std::string& yaml_path,
                                    const std::string& proto_path);

  void Issue(const YAML::Node& node, const std::string& yaml_path, std::string message);

 private:
  void ReadMessage(const YAML::Node& node, google::protobuf::Message* message,
                   const std::string& yaml_path, const std::string& proto_path);
  void ReadField(const YAML::Node& node, google::protobuf::Message* message,
                 const google::protobuf::FieldDescriptor* field, const std::string& yaml_path,
                 const std::string& proto_path);
  void ReadValue(const YAML::Node& node, google::protobuf::Message* message,
                 const google::protobuf::FieldDescriptor* field, const std::string& yaml_path,
                 const std::string& proto_path);

  const FormatRules& rules_;
  const std::string yaml_prefix_;
  const EnvLookupFn* env_;
  ReadSink* sink_;
};

// `message` as a YAML mapping: set fields only, in declaration order, maps
// sorted by key, hidden fields left out and renamed ones under their key.
YAML::Node MessageToYaml(const google::protobuf::Message& message, const FormatRules& rules);

// The document key of `field` under `rules` (its JSON name unless renamed).
std::string DocumentKey(const google::protobuf::FieldDescriptor* field, const FormatRules& rules);

// The prefix proto style gives an enum's values: DnsRecordType ->
// "DNS_RECORD_TYPE_".
std::string EnumPrefix(const google::protobuf::EnumDescriptor* e);

// Emits `node` as block-style YAML text.
std::string EmitYaml(const YAML::Node& node);

// Flattens `node` into path -> scalar text ("http.url", "headers[0].name"),
// for showing differences. Empty maps and lists have no entries.
void Flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>* out);

// The closest of `candidates` to `word` when it is a plausible typo, else "".
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace uptime::cli::manifest

#endif  // UPTIME_CLI_MANIFEST_PROTO_YAML_H_
