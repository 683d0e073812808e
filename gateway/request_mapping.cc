#include "gateway/request_mapping.h"

#include <cmath>
#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/utf8.h"
#include "gateway/router.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace uptime::gateway {

namespace pb = google::protobuf;

namespace {

bool IsWellKnownScalarMessage(const pb::Descriptor* d) {
  const std::string& n = d->full_name();
  return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" ||
         n == "google.protobuf.FieldMask";
}

const pb::FieldDescriptor* FindField(const pb::Descriptor* d, absl::string_view name) {
  const std::string key(name);
  if (const pb::FieldDescriptor* f = d->FindFieldByName(key)) return f;
  // lowerCamelCase, as the JSON mapping spells names.
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->json_name() == key) return d->field(i);
  }
  return nullptr;
}

// A JSON value tree built from the query, then handed to protobuf's parser
// so enums, timestamps and field masks follow the JSON mapping exactly.
struct Node {
  std::map<std::string, Node> children;  // for messages
  std::vector<std::string> values;       // JSON literals, for leaves
  const pb::FieldDescriptor* field = nullptr;
};

std::string Render(const Node& node) {
  if (node.field == nullptr || (node.field->type() == pb::FieldDescriptor::TYPE_MESSAGE &&
                                 !IsWellKnownScalarMessage(node.field->message_type()))) {
    std::vector<std::string> parts;
    for (const auto& [name, child] : node.children) {
      parts.push_back(absl::StrCat(JsonQuote(name), ":", Render(child)));
    }
    return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
  }
  if (node.field->is_repeated()) return absl::StrCat("[", absl::StrJoin(node.values, ","), "]");
  return node.values.empty() ? "null" : node.values.front();
}

// The JSON literal for `value` in `field`, or INVALID_ARGUMENT naming `name`.
absl::StatusOr<std::string> ScalarLiteral(const pb::FieldDescriptor* field, absl::string_view name,
                                          const std::string& value) {
  using FD = pb::FieldDescriptor;
  switch (field->cpp_type()) {
    case FD::CPPTYPE_BOOL: {
      const std::string lower = absl::AsciiStrToLower(value);
      if (lower == "true" || lower == "1" || lower.empty()) return std::string("true");
      if (lower == "false" || lower == "0") return std::string("false");
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": expected true or false, got ", JsonQuote(value)));
    }
    case FD::CPPTYPE_INT32:
    case FD::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v) ||
          (field->cpp_type() == FD::CPPTYPE_INT32 && (v < INT32_MIN || v > INT32_MAX))) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": expected an integer, got ", JsonQuote(value)));
      }
      return absl::StrCat(v);
    }
    case FD::CPPTYPE_UINT32:
    case FD::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v) || (field->cpp_type() == FD::CPPTYPE_UINT32 && v > UINT32_MAX)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": expected a non-negative integer, got ", JsonQuote(value)));
      }
      return absl::StrCat(v);
    }
    case FD::CPPTYPE_FLOAT:
    case FD::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(value, &v) || !std::isfinite(v)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": expected a number, got ", JsonQuote(value)));
      }
      return JsonQuote(value);
    }
    case FD::CPPTYPE_ENUM:
      if (field->enum_type()->FindValueByName(value) == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": unknown value ", JsonQuote(value), " for ",
                         field->enum_type()->name()));
      }
      return JsonQuote(value);
    case FD::CPPTYPE_STRING:
    case FD::CPPTYPE_MESSAGE:  // Timestamp, Duration, FieldMask: strings in JSON
      return JsonQuote(value);
  }
  return absl::InvalidArgumentError(absl::StrCat(name, ": unsupported field type"));
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string JsonQuote(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

absl::StatusOr<QueryParams> ParseQuery(absl::string_view query) {
  QueryParams params;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    std::string name, value;
    absl::Status s = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true, &name);
    if (s.ok() && eq != absl::string_view::npos) {
      s = PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true, &value);
    }
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("query: ", s.message()));
    }
    if (!IsValidUtf8(name) || !IsValidUtf8(value)) {
      return absl::InvalidArgumentError("query: not valid UTF-8");
    }
    params.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

absl::Status ApplyQuery(const QueryParams& params, const std::vector<std::string>& excluded,
                        pb::Message* msg) {
  if (params.empty()) return absl::OkStatus();
  Node root;
  for (const auto& [name, value] : params) {
    const pb::Descriptor* d = msg->GetDescriptor();
    Node* node = &root;
    std::vector<absl::string_view> parts = absl::StrSplit(name, '.');
    for (size_t i = 0; i < parts.size(); ++i) {
      const pb::FieldDescriptor* f = d == nullptr ? nullptr : FindField(d, parts[i]);
      if (f == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("unknown query parameter ", JsonQuote(name)));
      }
      if (i == 0) {
        for (const std::string& ex : excluded) {
          if (ex == f->name()) {
            return absl::InvalidArgumentError(
                absl::StrCat(name, ": cannot be set in the query string here"));
          }
        }
      }
      const bool last = i + 1 == parts.size();
      const bool is_message = f->type() == pb::FieldDescriptor::TYPE_MESSAGE;
      const bool scalar_like = !is_message || IsWellKnownScalarMessage(f->message_type());
      if (last != scalar_like || (is_message && f->is_repeated()) || f->is_map()) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": cannot be set from a query parameter"));
      }
      node = &node->children[f->json_name()];
      node->field = f;
      d = is_message ? f->message_type() : nullptr;
    }
    if (!node->field->is_repeated() && !node->values.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": given more than once"));
    }
    absl::StatusOr<std::string> literal = ScalarLiteral(node->field, name, value);
    if (!literal.ok()) return literal.status();
    node->values.push_back(*std::move(literal));
  }
  std::unique_ptr<pb::Message> parsed(msg->New());
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  pb::util::Status s = pb::util::JsonStringToMessage(Render(root), parsed.get(), options);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("query: ", s.message().as_string()));
  }
  msg->MergeFrom(*parsed);
  return absl::OkStatus();
}

absl::Status SetPathParam(absl::string_view path, const std::string& value, pb::Message* msg) {
  if (!IsValidUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not valid UTF-8"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const pb::FieldDescriptor* f = msg->GetDescriptor()->FindFieldByName(std::string(parts[i]));
    if (f == nullptr || f->is_repeated()) {
      return absl::InternalError(absl::StrCat("route binds unknown field ", path));
    }
    if (i + 1 < parts.size()) {
      if (f->type() != pb::FieldDescriptor::TYPE_MESSAGE) {
        return absl::InternalError(absl::StrCat("route binds non-message ", path));
      }
      msg = msg->GetReflection()->MutableMessage(msg, f);
    } else {
      if (f->type() != pb::FieldDescriptor::TYPE_STRING) {
        return absl::InternalError(absl::StrCat("route binds non-string ", path));
      }
      msg->GetReflection()->SetString(msg, f, value);
    }
  }
  return absl::OkStatus();
}

absl::Status ParseJsonBody(absl::string_view body, pb::Message* msg) {
  if (!IsValidUtf8(body)) return absl::InvalidArgumentError("body: not valid UTF-8");
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  pb::util::Status s =
      pb::util::JsonStringToMessage(pb::StringPiece(body.data(), body.size()), msg, options);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("body: ", s.message().as_string()));
  return absl::OkStatus();
}

std::string ToJson(const pb::Message& msg) {
  std::string out;
  pb::util::JsonPrintOptions options;
  // A message from our own stubs always prints; an error here would be a bug.
  if (!pb::util::MessageToJsonString(msg, &out, options).ok()) return "{}";
  return out;
}

}  // namespace uptime::gateway
