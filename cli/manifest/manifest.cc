#include "cli/manifest/manifest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/parser.h"

namespace uptime::cli::manifest {
namespace {

using google::protobuf::Message;

constexpr char kReservedPrefix[] = "uptime.dev/";

Diagnostic Make(const std::string& file, Position position, std::string field,
                std::string message) {
  return Diagnostic{file, position, std::move(field), std::move(message), false};
}

ObjectMessage NewMessage(Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return v1::Channel();
    case Kind::kMonitor:
      return v1::Monitor();
    case Kind::kMaintenanceWindow:
      return v1::MaintenanceWindow();
    case Kind::kStatusPage:
      return v1::StatusPage();
  }
  return v1::Channel();
}

Message* MessageIn(ObjectMessage& m) {
  return std::visit([](auto& v) -> Message* { return &v; }, m);
}

// Reads `metadata` into `object`; issues go to `sink`.
void ReadMetadata(const YAML::Node& metadata, YamlReader& reader, ReadSink& sink, Object& object) {
  if (!metadata.IsDefined() || metadata.IsNull()) {
    sink.issues.push_back({object.position, "metadata", "metadata.name is required"});
    return;
  }
  if (!metadata.IsMap()) {
    reader.Issue(metadata, "metadata", "expected a mapping with name and labels");
    return;
  }
  const std::string name_path = object.kind == Kind::kStatusPage ? "slug" : "name";
  std::map<std::string, std::string> labels;
  bool has_name = false;
  for (const auto& entry : metadata) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (key == "name") {
      sink.positions[name_path] = {PositionOf(entry.second), "metadata.name"};
      if (std::optional<std::string> name =
              reader.Scalar(entry.second, "metadata.name", name_path)) {
        object.name = *name;
        has_name = !name->empty();
        if (!has_name) reader.Issue(entry.second, "metadata.name", "must not be empty");
      }
    } else if (key == "labels") {
      sink.positions["labels"] = {PositionOf(entry.second), "metadata.labels"};
      if (entry.second.IsNull()) continue;
      if (!entry.second.IsMap()) {
        reader.Issue(entry.second, "metadata.labels", "expected a mapping of key: value");
        continue;
      }
      for (const auto& label : entry.second) {
        std::optional<std::string> k = reader.Scalar(label.first, "metadata.labels", "labels");
        if (!k.has_value()) continue;
        const std::string path = absl::StrCat("metadata.labels.", *k);
        if (absl::StartsWith(*k, kReservedPrefix)) {
          reader.Issue(label.first, path,
                       absl::StrCat("the prefix ", kReservedPrefix, " is reserved for uptimectl"));
          continue;
        }
        sink.positions[absl::StrCat("labels.", *k)] = {PositionOf(label.second), path};
        std::optional<std::string> v =
            label.second.IsNull() ? std::optional<std::string>("")
                                  : reader.Scalar(label.second, path, absl::StrCat("labels.", *k));
        if (v.has_value()) labels[*k] = *v;
      }
    } else {
      std::string text = absl::StrCat("unknown field '", key, "'");
      const std::string guess = DidYouMean(key, {"name", "labels"});
      if (!guess.empty()) absl::StrAppend(&text, "; did you mean '", guess, "'?");
      reader.Issue(entry.first, absl::StrCat("metadata.", key), text);
    }
  }
  if (!has_name && object.name.empty()) {
    reader.Issue(metadata, "metadata.name", "is required");
  }
  Message* message = object.mutable_proto();
  SetName(message, object.name);
  if (!labels.empty()) {
    if (LabelsField(*message) == nullptr) {
      sink.issues.push_back(
          {sink.positions["labels"].position, "metadata.labels",
           absl::StrCat(KindName(object.kind), " has no labels in this version of the API")});
    } else {
      SetLabels(message, labels);
    }
  }
}

void ParseDocument(const std::string& file, const YAML::Node& doc, const EnvLookupFn& env,
                   LoadResult* result) {
  if (!doc.IsDefined() || doc.IsNull()) return;  // an empty document, e.g. after a final ---
  const Position doc_position = PositionOf(doc);
  if (!doc.IsMap()) {
    result->diagnostics.push_back(Make(
        file, doc_position, "", "a document is a mapping of apiVersion, kind, metadata, spec"));
    return;
  }
  ReadSink sink;
  YamlReader reader(DocumentRules(), "spec", &env, &sink);
  YAML::Node api_version, kind_node, metadata, spec;
  for (const auto& entry : doc) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (key == "apiVersion") {
      api_version = entry.second;
    } else if (key == "kind") {
      kind_node = entry.second;
    } else if (key == "metadata") {
      metadata = entry.second;
    } else if (key == "spec") {
      spec = entry.second;
    } else {
      std::string text = absl::StrCat("unknown field '", key, "'");
      const std::string guess = DidYouMean(key, {"apiVersion", "kind", "metadata", "spec"});
      if (!guess.empty()) absl::StrAppend(&text, "; did you mean '", guess, "'?");
      reader.Issue(entry.first, key, text);
    }
  }
  auto flush = [&] {
    for (ReadIssue& issue : sink.issues) {
      result->diagnostics.push_back(
          Make(file, issue.position, std::move(issue.yaml_path), std::move(issue.message)));
    }
  };
  if (!api_version.IsDefined()) {
    reader.Issue(doc, "apiVersion", absl::StrCat("is required (", kApiVersion, ")"));
  } else if (!api_version.IsScalar() || api_version.Scalar() != kApiVersion) {
    reader.Issue(api_version, "apiVersion",
                 absl::StrCat("must be ", kApiVersion, ", got '",
                              api_version.IsScalar() ? api_version.Scalar() : "", "'"));
  }
  Kind kind = Kind::kChannel;
  if (!kind_node.IsDefined()) {
    reader.Issue(doc, "kind", "is required: Channel, Monitor, MaintenanceWindow or StatusPage");
    flush();
    return;
  }
  if (!kind_node.IsScalar() || !ParseKind(kind_node.Scalar(), &kind) ||
      kind_node.Scalar() != KindName(kind)) {
    const std::string text = kind_node.IsScalar() ? kind_node.Scalar() : "";
    std::string message = absl::StrCat("unknown kind '", text, "'");
    const std::string guess =
        DidYouMean(text, {"Channel", "Monitor", "MaintenanceWindow", "StatusPage"});
    if (!guess.empty()) absl::StrAppend(&message, "; did you mean '", guess, "'?");
    reader.Issue(kind_node, "kind", message);
    flush();
    return;
  }
  Object object;
  object.kind = kind;
  object.file = file;
  object.position = doc_position;
  object.message = NewMessage(kind);
  ReadMetadata(metadata, reader, sink, object);
  if (!spec.IsDefined() || spec.IsNull()) {
    reader.Issue(doc, "spec", "is required");
  } else {
    // Reading into a scratch message keeps the name and labels set above.
    ObjectMessage scratch = NewMessage(kind);
    reader.Read(spec, MessageIn(scratch));
    Message* out = object.mutable_proto();
    const std::string name = NameOf(*out);
    const std::map<std::string, std::string> labels = LabelsOf(*out);
    out->MergeFrom(*MessageIn(scratch));
    SetName(out, name);
    if (!labels.empty()) SetLabels(out, labels);
  }
  object.positions = std::move(sink.positions);
  object.secret_paths = std::move(sink.substituted);
  for (std::string& v : sink.variables) result->manifest.variables.push_back(std::move(v));
  object.references = ReferencesOf(kind, object.proto());
  for (Reference& ref : object.references) {
    auto it = object.positions.find(ref.proto_path);
    if (it != object.positions.end()) ref.where = it->second;
  }
  const bool ok = sink.issues.empty();
  flush();
  if (ok) result->manifest.objects.push_back(std::move(object));
}

bool IsManifestFile(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// yaml-cpp 0.7 (Debian 12's) loops forever in LoadAll, allocating on every
// turn, when a document starts with a token no node can start with (a lone
// ',' is enough): the parser reports an empty document without consuming the
// token, again and again (fixed upstream after 0.8.0, jbeder/yaml-cpp#1319).
// A document takes at least one line, so a stream that yields more documents
// than it has lines is in that loop. This first pass counts documents with a
// handler that keeps nothing and stops there; only then does LoadAll run.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  // Where the last document started: the stuck token, once looping.
  const YAML::Mark& start() const { return start_; }

 private:
  YAML::Mark start_ = YAML::Mark::null_mark();
};

// Ok, or the position where yaml-cpp would loop. Throws what the parser throws.
std::optional<YAML::Mark> FindParserLoop(const std::string& text) {
  const size_t max_documents = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 2;
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  for (size_t documents = 0; parser.HandleNextDocument(counter);) {
    if (++documents > max_documents) return counter.start();
  }
  return std::nullopt;
}

}  // namespace

const Message& Object::proto() const {
  return *std::visit([](const auto& v) -> const Message* { return &v; }, message);
}

Message* Object::mutable_proto() { return MessageIn(message); }

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (position.line > 0) absl::StrAppend(&out, ":", position.line, ":", position.column);
  absl::StrAppend(&out, ": ");
  if (warning) absl::StrAppend(&out, "warning: ");
  if (!field.empty()) absl::StrAppend(&out, field, ": ");
  absl::StrAppend(&out, message);
  return out;
}

const Object* Manifest::Find(Kind kind, const std::string& name) const {
  for (const Object& o : objects) {
    if (o.kind == kind && o.name == name) return &o;
  }
  return nullptr;
}

void ParseManifestText(const std::string& file, absl::string_view text, const EnvLookupFn& env,
                       LoadResult* result) {
  std::vector<YAML::Node> docs;
  try {
    std::string copy(text);
    if (std::optional<YAML::Mark> stuck = FindParserLoop(copy)) {
      result->diagnostics.push_back(Make(
          file, stuck->is_null() ? Position{} : Position{stuck->line + 1, stuck->column + 1}, "",
          "unexpected character: no YAML node starts here"));
      return;
    }
    docs = YAML::LoadAll(copy);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's own text, without the position it repeats in what().
    result->diagnostics.push_back(
        Make(file, e.mark.is_null() ? Position{} : Position{e.mark.line + 1, e.mark.column + 1}, "",
             e.msg));
    return;
  }
  for (const YAML::Node& doc : docs) ParseDocument(file, doc, env, result);
}

LoadResult LoadManifests(const std::vector<std::string>& paths, const EnvLookupFn& env) {
  LoadResult result;
  namespace fs = std::filesystem;
  for (const std::string& path : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && IsManifestFile(it->path())) {
          files.push_back(it->path().string());
        }
      }
      if (ec) {
        result.diagnostics.push_back(
            Make(path, {}, "", absl::StrCat("cannot read: ", ec.message())));
        continue;
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        result.diagnostics.push_back(
            Make(path, {}, "", "no *.yaml or *.yml files in this directory"));
      }
    } else {
      files.push_back(path);
    }
    for (const std::string& file : files) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        result.diagnostics.push_back(Make(file, {}, "", "cannot open the file"));
        continue;
      }
      std::stringstream text;
      text << in.rdbuf();
      ParseManifestText(file, text.str(), env, &result);
    }
  }
  FinishManifest(&result);
  return result;
}

void FinishManifest(LoadResult* result) {
  auto& objects = result->manifest.objects;
  std::stable_sort(objects.begin(), objects.end(),
                   [](const Object& a, const Object& b) { return a.kind < b.kind; });
  for (size_t i = 0; i < objects.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (objects[j].kind == objects[i].kind && objects[j].name == objects[i].name) {
        auto it = objects[i].positions.find(objects[i].kind == Kind::kStatusPage ? "slug" : "name");
        result->diagnostics.push_back(
            Make(objects[i].file,
                 it != objects[i].positions.end() ? it->second.position : objects[i].position,
                 "metadata.name",
                 absl::StrCat(KindName(objects[i].kind), " '", objects[i].name,
                              "' is already defined at ", objects[j].file, ":",
                              objects[j].position.line)));
        break;
      }
    }
  }
  auto& vars = result->manifest.variables;
  std::sort(vars.begin(), vars.end());
  vars.erase(std::unique(vars.begin(), vars.end()), vars.end());
}

}  // namespace uptime::cli::manifest
