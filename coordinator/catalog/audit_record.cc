#include "coordinator/catalog/audit_record.h"

#include "google/protobuf/util/json_util.h"

namespace uptime::coordinator {

v1::AuditEvent AuditRecord(const v1::AuditEvent& who, absl::string_view action,
                           absl::string_view resource_type, absl::string_view resource_id) {
  v1::AuditEvent e = who;
  e.set_action(std::string(action));
  e.set_resource_type(std::string(resource_type));
  e.set_resource_id(std::string(resource_id));
  e.clear_before_json();
  e.clear_after_json();
  return e;
}

std::string AuditJson(const google::protobuf::Message& message) {
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out).ok()) return std::string();
  return out;
}

}  // namespace uptime::coordinator
