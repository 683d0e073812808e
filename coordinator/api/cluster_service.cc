#include "coordinator/api/cluster_service.h"

#include "common/config.h"
#include "common/proto_time.h"
#include "coordinator/api/monitor_service.h"

namespace uptime::coordinator {

ClusterServiceImpl::ClusterServiceImpl(const TokenAuthorizer* auth, std::string coordinator_id,
                                       absl::Time started, Catalog* catalog, StatusTracker* tracker,
                                       AgentManager* agents)
    : auth_(auth),
      coordinator_id_(std::move(coordinator_id)),
      started_(started),
      catalog_(catalog),
      tracker_(tracker),
      agents_(agents) {}

grpc::ServerUnaryReactor* ClusterServiceImpl::ListAgents(grpc::CallbackServerContext* ctx,
                                                         const v1::ListAgentsRequest*,
                                                         v1::ListAgentsResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  for (v1::AgentInfo& info : agents_->ListAgents()) *resp->add_agents() = std::move(info);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ClusterServiceImpl::GetClusterInfo(grpc::CallbackServerContext* ctx,
                                                             const v1::GetClusterInfoRequest*,
                                                             v1::ClusterInfo* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  resp->set_version(std::string(Version()));
  resp->set_coordinator_id(coordinator_id_);
  // A single coordinator leads until leader election lands with persistence.
  resp->set_is_leader(true);
  ToProto(started_, resp->mutable_started());
  resp->set_monitors(static_cast<int32_t>(catalog_->size()));
  resp->set_agents(static_cast<int32_t>(agents_->agent_count()));
  StateCounts counts = tracker_->Counts();
  resp->set_monitors_up(counts.up);
  resp->set_monitors_down(counts.down);
  resp->set_monitors_pending(counts.pending);
  resp->set_monitors_paused(counts.paused);
  resp->set_monitors_maintenance(counts.maintenance);
  return FinishWith(ctx, grpc::Status::OK);
}

}  // namespace uptime::coordinator
