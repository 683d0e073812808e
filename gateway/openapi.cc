#include "gateway/openapi.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gateway/request_mapping.h"

namespace uptime::gateway {

namespace pb = google::protobuf;
namespace http = boost::beast::http;

namespace {

std::string Ref(const pb::Descriptor* d) {
  return absl::StrCat("{\"$ref\":\"#/components/schemas/", d->full_name(), "\"}");
}

std::string ScalarSchema(const pb::FieldDescriptor* f) {
  using FD = pb::FieldDescriptor;
  switch (f->cpp_type()) {
    case FD::CPPTYPE_BOOL: return "{\"type\":\"boolean\"}";
    case FD::CPPTYPE_INT32: return "{\"type\":\"integer\",\"format\":\"int32\"}";
    case FD::CPPTYPE_UINT32: return "{\"type\":\"integer\",\"format\":\"int64\",\"minimum\":0}";
    // 64-bit integers are strings in protobuf JSON.
    case FD::CPPTYPE_INT64: return "{\"type\":\"string\",\"format\":\"int64\"}";
    case FD::CPPTYPE_UINT64: return "{\"type\":\"string\",\"format\":\"uint64\"}";
    case FD::CPPTYPE_FLOAT: return "{\"type\":\"number\",\"format\":\"float\"}";
    case FD::CPPTYPE_DOUBLE: return "{\"type\":\"number\",\"format\":\"double\"}";
    case FD::CPPTYPE_STRING:
      return f->type() == FD::TYPE_BYTES ? "{\"type\":\"string\",\"format\":\"byte\"}"
                                         : "{\"type\":\"string\"}";
    case FD::CPPTYPE_ENUM: {
      std::vector<std::string> names;
      for (int i = 0; i < f->enum_type()->value_count(); ++i) {
        names.push_back(JsonQuote(f->enum_type()->value(i)->name()));
      }
      return absl::StrCat("{\"type\":\"string\",\"enum\":[", absl::StrJoin(names, ","), "]}");
    }
    case FD::CPPTYPE_MESSAGE: break;
  }
  return "{}";
}

std::string WellKnownSchema(const pb::Descriptor* d) {
  const std::string& n = d->full_name();
  if (n == "google.protobuf.Timestamp") return "{\"type\":\"string\",\"format\":\"date-time\"}";
  if (n == "google.protobuf.Duration") {
    return "{\"type\":\"string\",\"description\":\"seconds with an 's' suffix, e.g. 30s\"}";
  }
  if (n == "google.protobuf.FieldMask") {
    return "{\"type\":\"string\",\"description\":\"comma-separated field paths\"}";
  }
  if (n == "google.protobuf.Empty") return "{\"type\":\"object\"}";
  return "";
}

std::string FieldSchema(const pb::FieldDescriptor* f, std::set<const pb::Descriptor*>* needed) {
  std::string item;
  if (f->is_map()) {
    const pb::FieldDescriptor* value = f->message_type()->map_value();
    return absl::StrCat("{\"type\":\"object\",\"additionalProperties\":",
                        FieldSchema(value, needed), "}");
  }
  if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    item = WellKnownSchema(f->message_type());
    if (item.empty()) {
      needed->insert(f->message_type());
      item = Ref(f->message_type());
    }
  } else {
    item = ScalarSchema(f);
  }
  if (f->is_repeated()) return absl::StrCat("{\"type\":\"array\",\"items\":", item, "}");
  return item;
}

std::string MessageSchema(const pb::Descriptor* d, std::set<const pb::Descriptor*>* needed) {
  if (std::string wk = WellKnownSchema(d); !wk.empty()) return wk;
  std::vector<std::string> props;
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    props.push_back(absl::StrCat(JsonQuote(f->json_name()), ":", FieldSchema(f, needed)));
  }
  return absl::StrCat("{\"type\":\"object\",\"properties\":{", absl::StrJoin(props, ","), "}}");
}

const pb::FieldDescriptor* FieldAt(const pb::Descriptor* d, const std::string& dotted) {
  const pb::FieldDescriptor* f = nullptr;
  for (absl::string_view part : absl::StrSplit(dotted, '.')) {
    if (d == nullptr) return nullptr;
    f = d->FindFieldByName(std::string(part));
    if (f == nullptr) return nullptr;
    d = f->message_type();
  }
  return f;
}

}  // namespace

std::vector<std::string> PathParams(const std::string& pattern) {
  std::vector<std::string> params;
  size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string::npos) {
    const size_t close = pattern.find('}', pos);
    if (close == std::string::npos) break;
    params.push_back(pattern.substr(pos + 1, close - pos - 1));
    pos = close + 1;
  }
  return params;
}

std::string OpenApiJson(const std::vector<ApiRoute>& routes, const std::string& version) {
  std::set<const pb::Descriptor*> needed;
  std::map<std::string, std::vector<std::string>> paths;  // pattern -> operations
  std::vector<std::string> order;
  for (const ApiRoute& route : routes) {
    std::vector<std::string> params;
    std::set<std::string> bound;
    for (const std::string& p : PathParams(route.pattern)) {
      bound.insert(p.substr(0, p.find('.')));
      const pb::FieldDescriptor* f = route.request ? FieldAt(route.request, p) : nullptr;
      params.push_back(absl::StrCat("{\"name\":", JsonQuote(p),
                                    ",\"in\":\"path\",\"required\":true,\"schema\":",
                                    f ? ScalarSchema(f) : "{\"type\":\"string\"}", "}"));
    }
    if (route.request != nullptr) {
      for (int i = 0; i < route.request->field_count(); ++i) {
        const pb::FieldDescriptor* f = route.request->field(i);
        if (bound.contains(f->name()) || route.body == "*" || route.body == f->name()) continue;
        if (f->is_map() || (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
                            WellKnownSchema(f->message_type()).empty())) {
          continue;
        }
        params.push_back(absl::StrCat("{\"name\":", JsonQuote(f->name()),
                                      ",\"in\":\"query\",\"schema\":", FieldSchema(f, &needed),
                                      "}"));
      }
    }
    if (route.kind == RouteKind::kEvents) {
      params.push_back(
          "{\"name\":\"last_event_id\",\"in\":\"query\",\"schema\":{\"type\":\"string\"}},"
          "{\"name\":\"Last-Event-ID\",\"in\":\"header\",\"schema\":{\"type\":\"string\"}}");
    }
    std::string op = absl::StrCat("\"operationId\":", JsonQuote(route.operation_id),
                                  ",\"tags\":[", JsonQuote(route.tag), "],\"summary\":",
                                  JsonQuote(route.summary), ",\"parameters\":[",
                                  absl::StrJoin(params, ","), "]");
    if (!route.body.empty() && route.request != nullptr) {
      const pb::Descriptor* body = route.request;
      if (route.body != "*") body = route.request->FindFieldByName(route.body)->message_type();
      needed.insert(body);
      absl::StrAppend(&op, ",\"requestBody\":{\"required\":", route.body != "*" ? "true" : "false",
                      ",\"content\":{\"application/json\":{\"schema\":", Ref(body), "}}}");
    }
    std::string ok;
    if (route.kind == RouteKind::kEvents) {
      needed.insert(route.response);
      ok = absl::StrCat("{\"description\":\"event stream: `state_change` events (with ids, "
                        "resumable with Last-Event-ID) and, with include_results=true, "
                        "`result` events (no id, not replayed); data is the JSON of an "
                        "Event\","
                        "\"content\":{\"text/event-stream\":{\"schema\":{\"type\":\"string\"}}}}");
    } else if (route.kind == RouteKind::kLogin) {
      needed.insert(route.response);
      ok = absl::StrCat(
          "{\"description\":\"signed in; the session is in the uptime_session cookie\","
          "\"content\":{\"application/json\":{\"schema\":{\"type\":\"object\",\"properties\":{"
          "\"caller\":",
          Ref(route.response), ",\"csrfToken\":{\"type\":\"string\"}}}}}}");
    } else if (route.response != nullptr) {
      needed.insert(route.response);
      ok = absl::StrCat("{\"description\":\"OK\",\"content\":{\"application/json\":{\"schema\":",
                        Ref(route.response), "}}}");
    } else {
      ok = "{\"description\":\"OK\",\"content\":{\"application/json\":{\"schema\":{\"type\":"
           "\"object\"}}}}";
    }
    // Signing in takes no credential.
    if (route.kind == RouteKind::kLogin) absl::StrAppend(&op, ",\"security\":[]");
    absl::StrAppend(&op, ",\"responses\":{\"200\":", ok,
                    ",\"default\":{\"description\":\"error\",\"content\":{\"application/json\":"
                    "{\"schema\":{\"$ref\":\"#/components/schemas/Error\"}}}}}");
    if (!paths.contains(route.pattern)) order.push_back(route.pattern);
    paths[route.pattern].push_back(absl::StrCat(
        "\"", absl::AsciiStrToLower(std::string(http::to_string(route.method))), "\":{", op, "}"));
  }
  // Schemas, transitively.
  std::map<std::string, std::string> schemas;
  std::set<const pb::Descriptor*> done;
  while (!needed.empty()) {
    const pb::Descriptor* d = *needed.begin();
    needed.erase(needed.begin());
    if (!done.insert(d).second) continue;
    schemas[d->full_name()] = MessageSchema(d, &needed);
  }
  schemas["Error"] =
      "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"integer\"},\"status\":{\"type\":"
      "\"string\"},\"message\":{\"type\":\"string\"},\"details\":{\"type\":\"array\",\"items\":{"
      "\"type\":\"object\"}}}}";
  std::vector<std::string> path_json, schema_json;
  for (const std::string& p : order) {
    path_json.push_back(absl::StrCat(JsonQuote(p), ":{", absl::StrJoin(paths[p], ","), "}"));
  }
  for (const auto& [name, schema] : schemas) {
    schema_json.push_back(absl::StrCat(JsonQuote(name), ":", schema));
  }
  return absl::StrCat(
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Uptime Monitor REST API\",\"version\":",
      JsonQuote(version),
      "},\"components\":{\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":"
      "\"bearer\"},\"cookie\":{\"type\":\"apiKey\",\"in\":\"cookie\",\"name\":"
      "\"uptime_session\",\"description\":\"the dashboard's session (from auth:login); writes "
      "also need the X-CSRF-Token header\"}},\"schemas\":{",
      absl::StrJoin(schema_json, ","),
      "}},\"security\":[{\"bearer\":[]},{\"cookie\":[]}],\"paths\":{",
      absl::StrJoin(path_json, ","), "}}");
}

}  // namespace uptime::gateway
