#include "cli/manifest/export.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/labels.h"

namespace uptime::cli::manifest {
namespace {

using google::protobuf::Message;

std::string Escaped(const std::string& text) { return absl::StrReplaceAll(text, {{"${", "$${"}}); }

// A literal ${ would be read back as a variable: every string in `message`
// gets $${ instead. (Done on the message: yaml-cpp nodes share identity on
// assignment, which makes editing an emitted tree in place error-prone.)
void EscapeDollars(Message* message) {
  const auto* d = message->GetDescriptor();
  const auto* r = message->GetReflection();
  using google::protobuf::FieldDescriptor;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int j = 0; j < r->FieldSize(*message, f); ++j) {
          EscapeDollars(r->MutableRepeatedMessage(message, f, j));
        }
      } else if (r->HasField(*message, f)) {
        EscapeDollars(r->MutableMessage(message, f));
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (f->is_repeated()) {
        for (int j = 0; j < r->FieldSize(*message, f); ++j) {
          r->SetRepeatedString(message, f, j, Escaped(r->GetRepeatedString(*message, f, j)));
        }
      } else {
        r->SetString(message, f, Escaped(r->GetString(*message, f)));
      }
    }
  }
}

}  // namespace

std::string SecretVariableName(const std::string& channel, const std::string& key) {
  std::string out;
  for (char c : absl::StrCat(channel, "_", key)) {
    out += absl::ascii_isalnum(static_cast<unsigned char>(c))
               ? absl::ascii_toupper(static_cast<unsigned char>(c))
               : '_';
  }
  if (!out.empty() && absl::ascii_isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

absl::StatusOr<ExportResult> ExportObjects(const ServerState& state, const ExportOptions& options) {
  absl::StatusOr<LabelSelector> selector =
      LabelSelector::Parse("--selector", options.label_selector);
  if (!selector.ok()) return selector.status();
  std::vector<Kind> kinds = options.kinds;
  if (kinds.empty()) kinds.assign(std::begin(kAllKinds), std::end(kAllKinds));
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());

  std::map<std::string, std::string> names[4];
  for (Kind kind : kAllKinds) {
    for (const auto& [id, m] : state.Of(kind)) names[static_cast<int>(kind)][id] = NameOf(*m);
  }
  ExportResult result;
  for (Kind kind : kinds) {
    auto objects = state.Of(kind);
    std::stable_sort(objects.begin(), objects.end(), [](const auto& a, const auto& b) {
      return NameOf(*a.second) < NameOf(*b.second);
    });
    for (const auto& [id, original] : objects) {
      std::map<std::string, std::string> labels = LabelsOf(*original);
      if (!selector->Matches(labels)) continue;
      std::unique_ptr<Message> m(original->New());
      m->CopyFrom(*original);
      const std::string name = NameOf(*m);
      RewriteReferences(kind, m.get(), [&](Kind target, const std::string& ref) {
        auto& map = names[static_cast<int>(target)];
        auto it = map.find(ref);
        if (it != map.end()) return it->second;
        result.warnings.push_back(absl::StrCat(KindName(kind), "/", name, " refers to ",
                                               KindName(target), " ", ref,
                                               ", which does not exist; apply will reject it"));
        return ref;
      });
      YAML::Node doc(YAML::NodeType::Map);
      doc["apiVersion"] = kApiVersion;
      doc["kind"] = std::string(KindName(kind));
      doc["metadata"]["name"] = Escaped(name);
      YAML::Node label_node(YAML::NodeType::Map);
      for (const auto& [k, v] : labels) {
        if (!absl::StartsWith(k, "uptime.dev/")) label_node[Escaped(k)] = Escaped(v);
      }
      if (label_node.size() > 0) doc["metadata"]["labels"] = label_node;
      EscapeDollars(m.get());
      if (kind == Kind::kChannel) {
        for (auto& [key, value] : *static_cast<v1::Channel*>(m.get())->mutable_config()) {
          if (!absl::StartsWith(value, "****")) continue;
          const std::string var = SecretVariableName(name, key);
          value = absl::StrCat("${", var, "}");
          result.variables.push_back(absl::StrCat(var, " (Channel/", name, " config.", key, ")"));
        }
      }
      doc["spec"] = MessageToYaml(*m, DocumentRules());
      if (result.documents > 0) result.yaml += "---\n";
      result.yaml += EmitYaml(doc) + "\n";
      ++result.documents;
    }
  }
  return result;
}

}  // namespace uptime::cli::manifest
