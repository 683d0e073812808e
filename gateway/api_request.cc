#include "gateway/api_request.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace uptime::gateway {

namespace pb = google::protobuf;

bool HasBody(absl::string_view body) { return !absl::StripAsciiWhitespace(body).empty(); }

absl::StatusOr<std::unique_ptr<pb::Message>> BuildApiRequest(
    const ApiRoute& route, const std::vector<std::pair<std::string, std::string>>& path_params,
    const QueryParams& params, absl::string_view body) {
  // Routes the gateway answers itself (the OpenAPI document) carry no
  // request message; asking for one is a bug in the caller, not a crash.
  if (route.request == nullptr) {
    return absl::InternalError("route table: " + route.operation_id + " has no request message");
  }
  std::unique_ptr<pb::Message> message(
      pb::MessageFactory::generated_factory()->GetPrototype(route.request)->New());
  std::vector<std::string> excluded;
  for (const auto& [name, value] : path_params) excluded.push_back(name.substr(0, name.find('.')));
  const bool has_body = HasBody(body);
  if (has_body && route.body.empty()) {
    return absl::InvalidArgumentError("body: this route takes no body");
  }
  if (route.body == "*") {
    if (has_body) {
      if (absl::Status s = ParseJsonBody(body, message.get()); !s.ok()) return s;
    }
  } else if (!route.body.empty()) {
    excluded.push_back(route.body);
  }
  if (absl::Status s = ApplyQuery(params, excluded, message.get()); !s.ok()) return s;
  if (!route.body.empty() && route.body != "*" && has_body) {
    const pb::FieldDescriptor* f = message->GetDescriptor()->FindFieldByName(route.body);
    if (f == nullptr || f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      return absl::InternalError("route table: body field " + route.body + " is not a message");
    }
    pb::Message* sub = message->GetReflection()->MutableMessage(message.get(), f);
    // Errors name the body's fields as the RPC would: "monitor: ...".
    if (absl::Status s = ParseJsonBody(body, sub); !s.ok()) return s;
  }
  for (const auto& [name, value] : path_params) {
    if (absl::Status s = SetPathParam(name, value, message.get()); !s.ok()) return s;
  }
  return message;
}

}  // namespace uptime::gateway
