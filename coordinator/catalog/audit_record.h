// Completing an audit event for a catalog change (monitors, channels,
// maintenance windows, status pages).
//
// The API layer fills in who and when (AuditTemplate in
// coordinator/accounts); the registry that makes the change adds what:
// action, resource and the object before and after, as protobuf JSON. The
// registry passes the event to its store, which writes it in the same
// transaction as the change.
//
// Callers pass objects as clients may see them: channels redacted (no secret
// may reach the audit log).
//
// Example:
//   v1::AuditEvent audit = AuditRecord(who, "monitor.update", "monitor", id);
//   audit.set_before_json(AuditJson(*old));
//   audit.set_after_json(AuditJson(updated));
//   RETURN_IF_ERROR(store_->UpdateMonitor(updated, audit));
#ifndef UPTIME_COORDINATOR_CATALOG_AUDIT_RECORD_H_
#define UPTIME_COORDINATOR_CATALOG_AUDIT_RECORD_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "uptime/v1/audit.pb.h"

namespace uptime::coordinator {

// `who` with action, resource_type and resource_id set (before/after empty).
v1::AuditEvent AuditRecord(const v1::AuditEvent& who, absl::string_view action,
                           absl::string_view resource_type, absl::string_view resource_id);

// `message` in the protobuf JSON mapping ("" if it cannot be converted,
// which for our messages does not happen: a record must not fail a change).
std::string AuditJson(const google::protobuf::Message& message);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_AUDIT_RECORD_H_
