#include "cli/manifest/schema.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/manifest/manifest.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"

namespace uptime::cli::manifest {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using google::protobuf::Value;

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

Value Obj(std::initializer_list<std::pair<std::string, Value>> fields) {
  Value v;
  auto* s = v.mutable_struct_value()->mutable_fields();
  for (const auto& [k, f] : fields) (*s)[k] = f;
  return v;
}

Value List(const std::vector<std::string>& items) {
  Value v;
  for (const std::string& i : items) *v.mutable_list_value()->add_values() = Str(i);
  return v;
}

Value Bool(bool b) {
  Value v;
  v.set_bool_value(b);
  return v;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// JSON with object keys sorted, so the checked-in file is stable (protobuf
// prints Struct fields in map order, which is unspecified).
void PrintJson(const Value& v, int indent, std::string* out) {
  const std::string pad(2 * (indent + 1), ' ');
  switch (v.kind_case()) {
    case Value::kStructValue: {
      std::map<std::string, const Value*> sorted;
      for (const auto& [k, f] : v.struct_value().fields()) sorted[k] = &f;
      if (sorted.empty()) {
        *out += "{}";
        return;
      }
      *out += "{\n";
      bool first = true;
      for (const auto& [k, f] : sorted) {
        if (!first) *out += ",\n";
        first = false;
        absl::StrAppend(out, pad, Quote(k), ": ");
        PrintJson(*f, indent + 1, out);
      }
      absl::StrAppend(out, "\n", std::string(2 * indent, ' '), "}");
      return;
    }
    case Value::kListValue: {
      *out += "[\n";
      for (int i = 0; i < v.list_value().values_size(); ++i) {
        if (i > 0) *out += ",\n";
        *out += pad;
        PrintJson(v.list_value().values(i), indent + 1, out);
      }
      absl::StrAppend(out, "\n", std::string(2 * indent, ' '), "]");
      return;
    }
    case Value::kStringValue:
      *out += Quote(v.string_value());
      return;
    case Value::kBoolValue:
      *out += v.bool_value() ? "true" : "false";
      return;
    case Value::kNumberValue:
      absl::StrAppend(out, v.number_value());
      return;
    default:
      *out += "null";
  }
}

class SchemaBuilder {
 public:
  // A $ref to `d`'s definition, adding it (and what it uses) once.
  Value Ref(const Descriptor* d) {
    if (defined_.insert(d->full_name()).second) definitions_[d->full_name()] = MessageSchema(d);
    return Obj({{"$ref", Str(absl::StrCat("#/definitions/", d->full_name()))}});
  }

  Value Definitions() const {
    Value v;
    auto* fields = v.mutable_struct_value()->mutable_fields();
    for (const auto& [k, d] : definitions_) (*fields)[k] = d;
    return v;
  }

 private:
  Value MessageSchema(const Descriptor* d) {
    Value properties;
    properties.mutable_struct_value();
    const FormatRules& rules = DocumentRules();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (rules.hidden.contains(f->full_name())) continue;
      Value field = FieldSchema(f);
      if (auto it = rules.renamed.find(f->full_name()); it != rules.renamed.end()) {
        (*field.mutable_struct_value()->mutable_fields())["description"] =
            Str("Names (not ids) of the referenced objects, from the files or the server");
      }
      (*properties.mutable_struct_value()->mutable_fields())[DocumentKey(f, rules)] = field;
    }
    return Obj({{"type", Str("object")},
                {"additionalProperties", Bool(false)},
                {"properties", properties}});
  }

  Value SingleSchema(const FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return Obj({{"type", Str("string")}});
      case FieldDescriptor::CPPTYPE_BOOL:
        return Obj({{"type", Str("boolean")}});
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64:
        return Obj({{"type", Str("integer")}});
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        return Obj({{"type", Str("number")}});
      case FieldDescriptor::CPPTYPE_ENUM: {
        // The full names (what export writes) and the short ones apply
        // also takes ("A" for DNS_RECORD_TYPE_A).
        std::vector<std::string> names;
        const std::string prefix = EnumPrefix(f->enum_type());
        for (int i = 0; i < f->enum_type()->value_count(); ++i) {
          names.push_back(f->enum_type()->value(i)->name());
        }
        for (int i = 1; i < f->enum_type()->value_count(); ++i) {
          const std::string& name = f->enum_type()->value(i)->name();
          if (absl::StartsWith(name, prefix)) names.push_back(name.substr(prefix.size()));
        }
        return Obj({{"type", Str("string")}, {"enum", List(names)}});
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const std::string& type = f->message_type()->full_name();
        if (type == "google.protobuf.Duration") {
          return Obj({{"type", Str("string")},
                      {"pattern", Str("^-?[0-9.]+(ns|us|ms|s|m|h)([0-9.]+(ns|us|ms|s|m|h))*$")},
                      {"description", Str("A duration such as 30s, 1.5s or 1m30s")}});
        }
        if (type == "google.protobuf.Timestamp") {
          return Obj({{"type", Str("string")}, {"format", Str("date-time")}});
        }
        return Ref(f->message_type());
      }
    }
    return Obj({});
  }

  Value FieldSchema(const FieldDescriptor* f) {
    if (f->is_map()) {
      return Obj({{"type", Str("object")},
                  {"additionalProperties", SingleSchema(f->message_type()->map_value())}});
    }
    if (f->is_repeated()) return Obj({{"type", Str("array")}, {"items", SingleSchema(f)}});
    return SingleSchema(f);
  }

  std::set<std::string> defined_;
  std::map<std::string, Value> definitions_;
};

}  // namespace

std::string ManifestJsonSchema() {
  SchemaBuilder builder;
  const std::pair<Kind, const Descriptor*> kinds[] = {
      {Kind::kChannel, v1::Channel::descriptor()},
      {Kind::kMonitor, v1::Monitor::descriptor()},
      {Kind::kMaintenanceWindow, v1::MaintenanceWindow::descriptor()},
      {Kind::kStatusPage, v1::StatusPage::descriptor()},
  };
  Value all_of;
  std::vector<std::string> kind_names;
  for (const auto& [kind, descriptor] : kinds) {
    kind_names.emplace_back(KindName(kind));
    *all_of.mutable_list_value()->add_values() =
        Obj({{"if", Obj({{"properties",
                          Obj({{"kind", Obj({{"const", Str(std::string(KindName(kind)))}})}})}})},
             {"then", Obj({{"properties", Obj({{"spec", builder.Ref(descriptor)}})}})}});
  }
  Value metadata =
      Obj({{"type", Str("object")},
           {"additionalProperties", Bool(false)},
           {"required", List({"name"})},
           {"properties",
            Obj({{"name", Obj({{"type", Str("string")},
                               {"minLength",
                                [] {
                                  Value v;
                                  v.set_number_value(1);
                                  return v;
                                }()},
                               {"description", Str("Unique per kind; a StatusPage's slug")}})},
                 {"labels", Obj({{"type", Str("object")},
                                 {"additionalProperties", Obj({{"type", Str("string")}})}})}})}});
  Value schema = Obj({{"$schema", Str("http://json-schema.org/draft-07/schema#")},
                      {"title", Str("uptime.dev/v1 manifest (uptimectl apply -f)")},
                      {"type", Str("object")},
                      {"additionalProperties", Bool(false)},
                      {"required", List({"apiVersion", "kind", "metadata", "spec"})},
                      {"properties", Obj({{"apiVersion", Obj({{"const", Str(kApiVersion)}})},
                                          {"kind", Obj({{"enum", List(kind_names)}})},
                                          {"metadata", metadata},
                                          {"spec", Obj({{"type", Str("object")}})}})},
                      {"allOf", all_of},
                      {"definitions", builder.Definitions()}});
  std::string json;
  PrintJson(schema, 0, &json);
  return json + "\n";
}

}  // namespace uptime::cli::manifest
