// StatusPageService: the gRPC adapter over the StatusPageRegistry. Reads
// need the viewer role, writes the editor role.
//
// Thread-safety: thread-safe (the registry is).
#ifndef UPTIME_COORDINATOR_API_STATUS_PAGE_SERVICE_H_
#define UPTIME_COORDINATOR_API_STATUS_PAGE_SERVICE_H_

#include "common/auth.h"
#include "common/clock.h"
#include "coordinator/catalog/status_page_registry.h"
#include "uptime/v1/status_page.grpc.pb.h"

namespace uptime::coordinator {

class StatusPageServiceImpl final : public v1::StatusPageService::CallbackService {
 public:
  // Not owned; all must outlive the service. Writes are audited (who, and
  // when by `clock`).
  StatusPageServiceImpl(const TokenAuthorizer* auth, Clock* clock, StatusPageRegistry* registry);

  grpc::ServerUnaryReactor* CreateStatusPage(grpc::CallbackServerContext* ctx,
                                             const v1::CreateStatusPageRequest* req,
                                             v1::StatusPage* resp) override;
  grpc::ServerUnaryReactor* GetStatusPage(grpc::CallbackServerContext* ctx,
                                          const v1::GetStatusPageRequest* req,
                                          v1::StatusPage* resp) override;
  grpc::ServerUnaryReactor* ListStatusPages(grpc::CallbackServerContext* ctx,
                                            const v1::ListStatusPagesRequest* req,
                                            v1::ListStatusPagesResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateStatusPage(grpc::CallbackServerContext* ctx,
                                             const v1::UpdateStatusPageRequest* req,
                                             v1::StatusPage* resp) override;
  grpc::ServerUnaryReactor* DeleteStatusPage(grpc::CallbackServerContext* ctx,
                                             const v1::DeleteStatusPageRequest* req,
                                             google::protobuf::Empty* resp) override;

 private:
  const TokenAuthorizer* const auth_;
  Clock* const clock_;
  StatusPageRegistry* const registry_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_STATUS_PAGE_SERVICE_H_
