// MonitorService: the gRPC adapter over the Catalog. Validates every request
// fully before changing anything. Every change is recorded in the audit log
// (who: the caller's principal and address; when: the clock's now).
#ifndef UPTIME_COORDINATOR_API_MONITOR_SERVICE_H_
#define UPTIME_COORDINATOR_API_MONITOR_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/clock.h"
#include "coordinator/catalog/catalog.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"

namespace uptime::coordinator {

class MonitorServiceImpl final : public v1::MonitorService::CallbackService {
 public:
  // `channel_exists` answers whether a notification channel id is known.
  MonitorServiceImpl(const TokenAuthorizer* auth, Clock* clock, Catalog* catalog,
                     std::function<bool(const std::string&)> channel_exists);

  grpc::ServerUnaryReactor* CreateMonitor(grpc::CallbackServerContext* ctx,
                                          const v1::CreateMonitorRequest* req,
                                          v1::Monitor* resp) override;
  grpc::ServerUnaryReactor* GetMonitor(grpc::CallbackServerContext* ctx,
                                       const v1::GetMonitorRequest* req,
                                       v1::Monitor* resp) override;
  grpc::ServerUnaryReactor* ListMonitors(grpc::CallbackServerContext* ctx,
                                         const v1::ListMonitorsRequest* req,
                                         v1::ListMonitorsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateMonitor(grpc::CallbackServerContext* ctx,
                                          const v1::UpdateMonitorRequest* req,
                                          v1::Monitor* resp) override;
  grpc::ServerUnaryReactor* DeleteMonitor(grpc::CallbackServerContext* ctx,
                                          const v1::DeleteMonitorRequest* req,
                                          google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* PauseMonitor(grpc::CallbackServerContext* ctx,
                                         const v1::PauseMonitorRequest* req,
                                         v1::Monitor* resp) override;
  grpc::ServerUnaryReactor* ResumeMonitor(grpc::CallbackServerContext* ctx,
                                          const v1::ResumeMonitorRequest* req,
                                          v1::Monitor* resp) override;

 private:
  grpc::Status SetPaused(grpc::CallbackServerContext* ctx, const std::string& id, bool paused,
                         v1::Monitor* resp);

  const TokenAuthorizer* const auth_;
  Clock* const clock_;
  Catalog* const catalog_;
  const std::function<bool(const std::string&)> channel_exists_;
};

// Finishes a unary call with `status` (the callback API's boilerplate).
grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* ctx, const grpc::Status& status);

// For a call that changes something: authorizes it for `scope` and returns
// the audit event's who and when (AuditTemplate) for the registry to
// complete. UNAUTHENTICATED / PERMISSION_DENIED as TokenAuthorizer.
absl::StatusOr<v1::AuditEvent> AuthorizeChange(const TokenAuthorizer& auth, Clock& clock,
                                               grpc::CallbackServerContext& ctx, Scope scope);

// INVALID_ARGUMENT "<field>: is required" for an empty id.
grpc::Status RequireId(const std::string& id, const char* field);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_MONITOR_SERVICE_H_
