#include "cli/manifest/proto_yaml.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace uptime::cli::manifest {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::util::TimeUtil;

std::string Join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : absl::StrCat(prefix, ".", name);
}

bool IsDuration(const Descriptor* d) { return d->full_name() == "google.protobuf.Duration"; }
bool IsTimestamp(const Descriptor* d) { return d->full_name() == "google.protobuf.Timestamp"; }

const google::protobuf::EnumValueDescriptor* FindEnumValue(const EnumDescriptor* e,
                                                           const std::string& text) {
  const std::string upper = absl::AsciiStrToUpper(text);
  if (const auto* v = e->FindValueByName(upper)) return v;
  if (const auto* v = e->FindValueByName(EnumPrefix(e) + upper)) return v;
  int number = 0;
  if (absl::SimpleAtoi(text, &number)) return e->FindValueByNumber(number);
  return nullptr;
}

bool ParseDuration(const std::string& text, google::protobuf::Duration* out) {
  if (TimeUtil::FromString(text, out)) return true;
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    return false;
  }
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return true;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const bool same = absl::ascii_tolower(static_cast<unsigned char>(a[i - 1])) ==
                        absl::ascii_tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

YAML::Node ValueToYaml(const Message& message, const FieldDescriptor* field, int index,
                       const FormatRules& rules) {
  const Reflection* r = message.GetReflection();
  const bool rep = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub =
          rep ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field);
      if (IsDuration(sub.GetDescriptor())) {
        google::protobuf::Duration d;
        d.CopyFrom(sub);
        return YAML::Node(TimeUtil::ToString(d));
      }
      if (IsTimestamp(sub.GetDescriptor())) {
        google::protobuf::Timestamp t;
        t.CopyFrom(sub);
        return YAML::Node(TimeUtil::ToString(t));
      }
      return MessageToYaml(sub, rules);
    }
    case FieldDescriptor::CPPTYPE_STRING:
      return YAML::Node(rep ? r->GetRepeatedString(message, field, index)
                            : r->GetString(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return YAML::Node(rep ? r->GetRepeatedBool(message, field, index)
                            : r->GetBool(message, field));
    case FieldDescriptor::CPPTYPE_INT32:
      return YAML::Node(rep ? r->GetRepeatedInt32(message, field, index)
                            : r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return YAML::Node(rep ? r->GetRepeatedInt64(message, field, index)
                            : r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return YAML::Node(rep ? r->GetRepeatedUInt32(message, field, index)
                            : r->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return YAML::Node(rep ? r->GetRepeatedUInt64(message, field, index)
                            : r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return YAML::Node(rep ? r->GetRepeatedDouble(message, field, index)
                            : r->GetDouble(message, field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return YAML::Node(rep ? r->GetRepeatedFloat(message, field, index)
                            : r->GetFloat(message, field));
    case FieldDescriptor::CPPTYPE_ENUM:
      return YAML::Node(
          (rep ? r->GetRepeatedEnum(message, field, index) : r->GetEnum(message, field))->name());
  }
  return YAML::Node();
}

bool IsSet(const Message& message, const FieldDescriptor* field) {
  const Reflection* r = message.GetReflection();
  if (field->is_repeated()) return r->FieldSize(message, field) > 0;
  return r->HasField(message, field);  // proto3 scalars: "has" means non-default
}

}  // namespace

// "DnsRecordType" -> "DNS_RECORD_TYPE_": the prefix proto style gives values.
std::string EnumPrefix(const google::protobuf::EnumDescriptor* e) {
  std::string out;
  for (char c : e->name()) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '_';
    out += absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return out + "_";
}

Position PositionOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string DocumentKey(const FieldDescriptor* field, const FormatRules& rules) {
  auto it = rules.renamed.find(field->full_name());
  return it != rules.renamed.end() ? it->second : field->json_name();
}

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  return best_distance <= limit ? best : "";
}

void YamlReader::Issue(const YAML::Node& node, const std::string& yaml_path, std::string message) {
  sink_->issues.push_back({PositionOf(node), yaml_path, std::move(message)});
}

std::optional<std::string> YamlReader::Scalar(const YAML::Node& node, const std::string& yaml_path,
                                              const std::string& proto_path) {
  if (!node.IsScalar()) {
    Issue(node, yaml_path, "expected a single value");
    return std::nullopt;
  }
  if (env_ == nullptr) return node.Scalar();
  SubstitutionResult result = SubstituteEnv(node.Scalar(), *env_);
  if (!result.value.has_value()) {
    // Point at the `${` itself when the scalar is on one line; quoted
    // scalars start one column before their text.
    Position p = PositionOf(node);
    const std::string& text = node.Scalar();
    if (p.line > 0 && text.find('\n') == std::string::npos) {
      p.column += static_cast<int>(result.error.offset) + (node.Tag() == "!" ? 1 : 0);
    }
    sink_->issues.push_back({p, yaml_path, result.error.message});
    return std::nullopt;
  }
  if (!result.value->used_variables.empty()) {
    sink_->substituted.insert(proto_path);
    for (std::string& v : result.value->used_variables) sink_->variables.push_back(std::move(v));
  }
  return std::move(result.value->text);
}

void YamlReader::Read(const YAML::Node& node, Message* message) {
  ReadMessage(node, message, yaml_prefix_, "");
}

void YamlReader::ReadMessage(const YAML::Node& node, Message* message, const std::string& yaml_path,
                             const std::string& proto_path) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    Issue(node, yaml_path, "expected a mapping of fields");
    return;
  }
  const Descriptor* d = message->GetDescriptor();
  std::vector<std::string> keys;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!rules_.hidden.contains(f->full_name())) keys.push_back(DocumentKey(f, rules_));
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const YAML::Node& key_node = entry.first;
    const std::string key = key_node.IsScalar() ? key_node.Scalar() : "";
    const std::string child_yaml = Join(yaml_path, key);
    const FieldDescriptor* field = nullptr;
    for (int i = 0; i < d->field_count() && field == nullptr; ++i) {
      const FieldDescriptor* f = d->field(i);
      if (rules_.hidden.contains(f->full_name())) continue;
      const bool renamed = rules_.renamed.contains(f->full_name());
      if (key == DocumentKey(f, rules_) || (!renamed && key == f->name())) field = f;
    }
    if (field == nullptr) {
      std::string message_text = absl::StrCat("unknown field '", key, "'");
      const std::string guess = DidYouMean(key, keys);
      if (!guess.empty()) absl::StrAppend(&message_text, "; did you mean '", guess, "'?");
      Issue(key_node, child_yaml, std::move(message_text));
      continue;
    }
    if (!seen.insert(field->name()).second) {
      Issue(key_node, child_yaml, "given twice");
      continue;
    }
    const Reflection* r = message->GetReflection();
    if (const auto* oneof = field->real_containing_oneof();
        oneof != nullptr && r->HasOneof(*message, oneof)) {
      std::vector<std::string> names;
      for (int i = 0; i < oneof->field_count(); ++i) {
        names.push_back(DocumentKey(oneof->field(i), rules_));
      }
      Issue(key_node, child_yaml,
            absl::StrCat("only one of ", absl::StrJoin(names, ", "), " may be given"));
      continue;
    }
    ReadField(entry.second, message, field, child_yaml, Join(proto_path, field->name()));
  }
}

void YamlReader::ReadField(const YAML::Node& node, Message* message, const FieldDescriptor* field,
                           const std::string& yaml_path, const std::string& proto_path) {
  sink_->positions[proto_path] = {PositionOf(node), yaml_path};
  if (!node.IsDefined() || node.IsNull()) return;
  const Reflection* r = message->GetReflection();
  if (field->is_map()) {
    if (!node.IsMap()) {
      Issue(node, yaml_path, "expected a mapping");
      return;
    }
    const FieldDescriptor* key_field = field->message_type()->map_key();
    const FieldDescriptor* value_field = field->message_type()->map_value();
    for (const auto& entry : node) {
      std::optional<std::string> key = Scalar(entry.first, yaml_path, proto_path);
      if (!key.has_value()) continue;
      Message* item = r->AddMessage(message, field);
      item->GetReflection()->SetString(item, key_field, *key);
      const std::string child_proto = Join(proto_path, *key);
      const std::string child_yaml = Join(yaml_path, *key);
      sink_->positions[child_proto] = {PositionOf(entry.second), child_yaml};
      ReadValue(entry.second, item, value_field, child_yaml, child_proto);
    }
    return;
  }
  if (field->is_repeated()) {
    if (!node.IsSequence()) {
      Issue(node, yaml_path, "expected a list");
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string child_yaml = absl::StrCat(yaml_path, "[", i, "]");
      const std::string child_proto = absl::StrCat(proto_path, "[", i, "]");
      sink_->positions[child_proto] = {PositionOf(node[i]), child_yaml};
      ReadValue(node[i], message, field, child_yaml, child_proto);
    }
    return;
  }
  ReadValue(node, message, field, yaml_path, proto_path);
}

void YamlReader::ReadValue(const YAML::Node& node, Message* message, const FieldDescriptor* field,
                           const std::string& yaml_path, const std::string& proto_path) {
  const Reflection* r = message->GetReflection();
  const bool rep = field->is_repeated();
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const Descriptor* type = field->message_type();
    if (IsDuration(type) || IsTimestamp(type)) {
      std::optional<std::string> text = Scalar(node, yaml_path, proto_path);
      if (!text.has_value()) return;
      Message* out = rep ? r->AddMessage(message, field) : r->MutableMessage(message, field);
      if (IsDuration(type)) {
        google::protobuf::Duration d;
        if (!ParseDuration(*text, &d)) {
          Issue(node, yaml_path,
                absl::StrCat("'", *text, "' is not a duration such as 30s or 1m30s"));
          return;
        }
        out->CopyFrom(d);
      } else {
        google::protobuf::Timestamp t;
        if (!TimeUtil::FromString(*text, &t)) {
          Issue(node, yaml_path,
                absl::StrCat("'", *text, "' is not an RFC 3339 time such as 2026-01-31T22:00:00Z"));
          return;
        }
        out->CopyFrom(t);
      }
      return;
    }
    Message* out = rep ? r->AddMessage(message, field) : r->MutableMessage(message, field);
    ReadMessage(node, out, yaml_path, proto_path);
    return;
  }
  if (!rep && node.IsNull()) return;
  std::optional<std::string> text = Scalar(node, yaml_path, proto_path);
  if (!text.has_value()) return;
  auto bad = [&](absl::string_view what) {
    Issue(node, yaml_path, absl::StrCat("'", *text, "' is not ", what));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(message, field, *text) : r->SetString(message, field, *text);
      return;
    case FieldDescriptor::CPPTYPE_BOOL: {
      const std::string lower = absl::AsciiStrToLower(*text);
      if (lower != "true" && lower != "false") return bad("true or false");
      rep ? r->AddBool(message, field, lower == "true")
          : r->SetBool(message, field, lower == "true");
      return;
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (!absl::SimpleAtoi(*text, &v)) return bad("a whole number");
      rep ? r->AddInt32(message, field, v) : r->SetInt32(message, field, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (!absl::SimpleAtoi(*text, &v)) return bad("a whole number");
      rep ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = 0;
      if (!absl::SimpleAtoi(*text, &v)) return bad("a non-negative whole number");
      rep ? r->AddUInt32(message, field, v) : r->SetUInt32(message, field, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = 0;
      if (!absl::SimpleAtoi(*text, &v)) return bad("a non-negative whole number");
      rep ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v = 0;
      if (!absl::SimpleAtod(*text, &v)) return bad("a number");
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        rep ? r->AddFloat(message, field, static_cast<float>(v))
            : r->SetFloat(message, field, static_cast<float>(v));
      } else {
        rep ? r->AddDouble(message, field, v) : r->SetDouble(message, field, v);
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumDescriptor* e = field->enum_type();
      const auto* value = FindEnumValue(e, *text);
      if (value == nullptr) {
        std::vector<std::string> names;
        for (int i = 1; i < e->value_count(); ++i) {
          names.push_back(e->value(i)->name().substr(EnumPrefix(e).size()));
        }
        Issue(node, yaml_path,
              absl::StrCat("unknown value '", *text, "'; one of ", absl::StrJoin(names, ", ")));
        return;
      }
      rep ? r->AddEnum(message, field, value) : r->SetEnum(message, field, value);
      return;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return;  // handled above
  }
}

YAML::Node MessageToYaml(const Message& message, const FormatRules& rules) {
  YAML::Node out(YAML::NodeType::Map);
  const Descriptor* d = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (rules.hidden.contains(f->full_name()) || !IsSet(message, f)) continue;
    const std::string key = DocumentKey(f, rules);
    if (f->is_map()) {
      // Sorted before any YAML::Node exists: assigning one Node to another
      // rebinds the underlying node (yaml-cpp), so sorting Nodes aliases them.
      const FieldDescriptor* key_field = f->message_type()->map_key();
      std::vector<std::pair<std::string, const Message*>> entries;
      for (int j = 0; j < r->FieldSize(message, f); ++j) {
        const Message& entry = r->GetRepeatedMessage(message, f, j);
        entries.emplace_back(entry.GetReflection()->GetString(entry, key_field), &entry);
      }
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      YAML::Node map(YAML::NodeType::Map);
      for (const auto& [k, entry] : entries) {
        map[k] = ValueToYaml(*entry, f->message_type()->map_value(), -1, rules);
      }
      out[key] = map;
    } else if (f->is_repeated()) {
      YAML::Node list(YAML::NodeType::Sequence);
      for (int j = 0; j < r->FieldSize(message, f); ++j)
        list.push_back(ValueToYaml(message, f, j, rules));
      out[key] = list;
    } else {
      out[key] = ValueToYaml(message, f, -1, rules);
    }
  }
  return out;
}

std::string EmitYaml(const YAML::Node& node) {
  YAML::Emitter emitter;
  emitter << node;
  return emitter.c_str();
}

void Flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  if (node.IsMap()) {
    for (const auto& entry : node) Flatten(entry.second, Join(prefix, entry.first.Scalar()), out);
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i)
      Flatten(node[i], absl::StrCat(prefix, "[", i, "]"), out);
  } else if (node.IsScalar()) {
    (*out)[prefix] = node.Scalar();
  }
}

}  // namespace uptime::cli::manifest
