#include "cli/output.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "yaml-cpp/yaml.h"

namespace uptime::cli {
namespace {

size_t DisplayWidth(absl::string_view text) {
  // Count UTF-8 lead bytes only; continuation bytes are 10xxxxxx.
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// True when a plain YAML scalar with this text would not read back as a
// string under YAML 1.1 or 1.2 rules (readers differ, so cover both): null and
// boolean words, numbers in any base or with "_" or ":" (1.1 sexagesimal),
// and dates (1.1 timestamps). "30s" or "10.0.0.1:80x" stay plain.
bool NeedsQuotes(const std::string& text) {
  if (text.empty()) return true;
  const std::string lower = absl::AsciiStrToLower(text);
  for (absl::string_view word : {"null", "~", "true", "false", "yes", "no", "on", "off", "y",
                                 "n", ".nan", ".inf", "-.inf", "+.inf"}) {
    if (lower == word) return true;
  }
  const size_t start = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  const bool numeric_start =
      start < text.size() && (absl::ascii_isdigit(text[start]) || text[start] == '.');
  const bool numeric_chars =
      lower.find_first_not_of("0123456789abcdefox+-._:") == std::string::npos;
  if (numeric_start && numeric_chars) return true;
  return text.size() >= 10 && std::all_of(text.begin(), text.begin() + 4, absl::ascii_isdigit) &&
         text[4] == '-';
}

void EmitNode(const YAML::Node& node, YAML::Emitter& out) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& entry : node) {
        out << YAML::Key << entry.first.Scalar() << YAML::Value;
        EmitNode(entry.second, out);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      out << YAML::BeginSeq;
      for (const auto& item : node) EmitNode(item, out);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      // The parser tags quoted scalars "!" and plain ones "?": in JSON input
      // that separates strings from numbers and booleans.
      if (node.Tag() == "!" && NeedsQuotes(node.Scalar())) {
        out << YAML::DoubleQuoted << node.Scalar();
      } else {
        out << node.Scalar();
      }
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out << YAML::Null;
      break;
  }
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  if (text == "table" || text == "wide") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "yaml") return OutputFormat::kYaml;
  return absl::InvalidArgumentError(
      absl::StrCat("--output: expected table, wide, json or yaml, got '", text, "'"));
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

void Table::Print(std::ostream& out) const {
  std::vector<const std::vector<std::string>*> lines;
  if (!headers_.empty()) lines.push_back(&headers_);
  for (const auto& row : rows_) lines.push_back(&row);
  std::vector<size_t> widths;
  for (const auto* line : lines) {
    if (widths.size() < line->size()) widths.resize(line->size(), 0);
    for (size_t i = 0; i < line->size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth((*line)[i]));
    }
  }
  for (const auto* line : lines) {
    std::string text;
    for (size_t i = 0; i < line->size(); ++i) {
      if (i > 0) text.append(2, ' ');
      text += (*line)[i];
      if (i + 1 < line->size()) text.append(widths[i] - DisplayWidth((*line)[i]), ' ');
    }
    // Empty trailing cells would otherwise leave padding behind.
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << '\n';
  }
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message, bool pretty) {
  // MessageToJsonString would serialize with map entries in hash order, so
  // labels would shuffle between runs and spoil diffs of saved output.
  // Deterministic serialization sorts map keys; convert from that instead.
  std::string binary;
  {
    google::protobuf::io::StringOutputStream stream(&binary);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!message.SerializeToCodedStream(&coded)) {
      return absl::InternalError("cannot serialize the response");
    }
  }
  constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com";
  const std::unique_ptr<google::protobuf::util::TypeResolver> resolver(
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          std::string(kTypeUrlPrefix), message.GetDescriptor()->file()->pool()));
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  std::string json;
  const auto status = google::protobuf::util::BinaryToJsonString(
      resolver.get(), absl::StrCat(kTypeUrlPrefix, "/", message.GetDescriptor()->full_name()),
      binary, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot convert to JSON: ", status.message().as_string()));
  }
  return json;
}

absl::StatusOr<std::string> JsonToYaml(absl::string_view json) {
  // yaml-cpp reports errors by exception; they stop here (STYLE.md rule 2).
  try {
    const YAML::Node root = YAML::Load(std::string(json));
    YAML::Emitter out;
    out.SetIndent(2);
    EmitNode(root, out);
    if (!out.good()) return absl::InternalError(absl::StrCat("YAML: ", out.GetLastError()));
    return absl::StrCat(out.c_str(), "\n");
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("JSON to YAML: ", e.what()));
  }
}

absl::Status Printer::Print(const google::protobuf::Message& message,
                            absl::FunctionRef<Table()> make_table) {
  switch (format_) {
    case OutputFormat::kTable:
      make_table().Print(out_);
      return absl::OkStatus();
    case OutputFormat::kJson: {
      ASSIGN_OR_RETURN(std::string json, ToJson(message));
      out_ << json;
      if (json.empty() || json.back() != '\n') out_ << '\n';
      return absl::OkStatus();
    }
    case OutputFormat::kYaml: {
      ASSIGN_OR_RETURN(std::string json, ToJson(message));
      ASSIGN_OR_RETURN(std::string yaml, JsonToYaml(json));
      out_ << yaml;
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown output format");
}

}  // namespace uptime::cli
