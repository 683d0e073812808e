// MaintenanceService: the gRPC adapter over the MaintenanceRegistry. Reads
// need the viewer role, writes the editor role.
//
// Thread-safety: thread-safe (the registry is).
#ifndef UPTIME_COORDINATOR_API_MAINTENANCE_SERVICE_H_
#define UPTIME_COORDINATOR_API_MAINTENANCE_SERVICE_H_

#include "common/auth.h"
#include "common/clock.h"
#include "coordinator/catalog/maintenance_registry.h"
#include "uptime/v1/maintenance.grpc.pb.h"

namespace uptime::coordinator {

class MaintenanceServiceImpl final : public v1::MaintenanceService::CallbackService {
 public:
  // Not owned; all must outlive the service. Writes are audited (who, and
  // when by `clock`).
  MaintenanceServiceImpl(const TokenAuthorizer* auth, Clock* clock, MaintenanceRegistry* registry);

  grpc::ServerUnaryReactor* CreateMaintenanceWindow(grpc::CallbackServerContext* ctx,
                                                    const v1::CreateMaintenanceWindowRequest* req,
                                                    v1::MaintenanceWindow* resp) override;
  grpc::ServerUnaryReactor* GetMaintenanceWindow(grpc::CallbackServerContext* ctx,
                                                 const v1::GetMaintenanceWindowRequest* req,
                                                 v1::MaintenanceWindow* resp) override;
  grpc::ServerUnaryReactor* ListMaintenanceWindows(
      grpc::CallbackServerContext* ctx, const v1::ListMaintenanceWindowsRequest* req,
      v1::ListMaintenanceWindowsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateMaintenanceWindow(grpc::CallbackServerContext* ctx,
                                                    const v1::UpdateMaintenanceWindowRequest* req,
                                                    v1::MaintenanceWindow* resp) override;
  grpc::ServerUnaryReactor* DeleteMaintenanceWindow(grpc::CallbackServerContext* ctx,
                                                    const v1::DeleteMaintenanceWindowRequest* req,
                                                    google::protobuf::Empty* resp) override;

 private:
  const TokenAuthorizer* const auth_;
  Clock* const clock_;
  MaintenanceRegistry* const registry_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_MAINTENANCE_SERVICE_H_
