// ClusterService: the agents and this coordinator, for operators.
#ifndef UPTIME_COORDINATOR_API_CLUSTER_SERVICE_H_
#define UPTIME_COORDINATOR_API_CLUSTER_SERVICE_H_

#include <string>

#include "absl/time/time.h"
#include "common/auth.h"
#include "coordinator/cluster/agent_manager.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/health/status_tracker.h"
#include "uptime/v1/cluster.grpc.pb.h"

namespace uptime::coordinator {

class ClusterServiceImpl final : public v1::ClusterService::CallbackService {
 public:
  ClusterServiceImpl(const TokenAuthorizer* auth, std::string coordinator_id, absl::Time started,
                     Catalog* catalog, StatusTracker* tracker, AgentManager* agents);

  grpc::ServerUnaryReactor* ListAgents(grpc::CallbackServerContext* ctx,
                                       const v1::ListAgentsRequest* req,
                                       v1::ListAgentsResponse* resp) override;
  grpc::ServerUnaryReactor* GetClusterInfo(grpc::CallbackServerContext* ctx,
                                           const v1::GetClusterInfoRequest* req,
                                           v1::ClusterInfo* resp) override;

 private:
  const TokenAuthorizer* const auth_;
  const std::string coordinator_id_;
  const absl::Time started_;
  Catalog* const catalog_;
  StatusTracker* const tracker_;
  AgentManager* const agents_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_CLUSTER_SERVICE_H_
