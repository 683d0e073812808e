// AuditService: reads the audit log. Admins only.
//
// Thread-safety: thread-safe.
#ifndef UPTIME_COORDINATOR_API_AUDIT_SERVICE_H_
#define UPTIME_COORDINATOR_API_AUDIT_SERVICE_H_

#include "common/auth.h"
#include "coordinator/accounts/account_registry.h"
#include "uptime/v1/audit.grpc.pb.h"

namespace uptime::coordinator {

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  // Not owned; both must outlive the service.
  AuditServiceImpl(const TokenAuthorizer* auth, AccountRegistry* accounts);

  grpc::ServerUnaryReactor* ListAuditEvents(grpc::CallbackServerContext* ctx,
                                            const v1::ListAuditEventsRequest* req,
                                            v1::ListAuditEventsResponse* resp) override;

 private:
  const TokenAuthorizer* const auth_;
  AccountRegistry* const accounts_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_AUDIT_SERVICE_H_
