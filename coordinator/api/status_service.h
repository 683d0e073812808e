// StatusService: live status from the StatusTracker, and the WatchEvents
// stream from the EventBus, both answered on gRPC's threads from memory;
// results, uptime (one monitor's, or a batch's in one store read) and
// incidents from the stores, on the `reads` pool, so a slow query never holds
// a thread that other calls need; ListUptime from the UptimeCache's summary,
// in memory.
#ifndef UPTIME_COORDINATOR_API_STATUS_SERVICE_H_
#define UPTIME_COORDINATOR_API_STATUS_SERVICE_H_

#include <functional>

#include "common/auth.h"
#include "common/worker_pool.h"
#include "coordinator/cluster/agent_manager.h"
#include "coordinator/health/event_bus.h"
#include "coordinator/health/status_tracker.h"
#include "coordinator/persistence/uptime_cache.h"
#include "store/incident_store.h"
#include "store/result_store.h"
#include "uptime/v1/status.grpc.pb.h"

namespace uptime::coordinator {

// Most monitor ids one BatchGetUptime may ask for.
inline constexpr int kMaxBatchGetUptime = 1000;

class StatusServiceImpl final : public v1::StatusService::CallbackService {
 public:
  StatusServiceImpl(const TokenAuthorizer* auth, Clock* clock, StatusTracker* tracker,
                    AgentManager* agents, EventBus* events, store::ResultStore* results,
                    store::IncidentStore* incidents, WorkerPool* reads,
                    const UptimeCache* uptime);

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx,
                                      const v1::GetStatusRequest* req,
                                      v1::MonitorStatus* resp) override;
  grpc::ServerUnaryReactor* ListStatuses(grpc::CallbackServerContext* ctx,
                                         const v1::ListStatusesRequest* req,
                                         v1::ListStatusesResponse* resp) override;
  grpc::ServerUnaryReactor* ListResults(grpc::CallbackServerContext* ctx,
                                        const v1::ListResultsRequest* req,
                                        v1::ListResultsResponse* resp) override;
  grpc::ServerUnaryReactor* GetUptime(grpc::CallbackServerContext* ctx,
                                      const v1::GetUptimeRequest* req,
                                      v1::GetUptimeResponse* resp) override;
  grpc::ServerUnaryReactor* BatchGetUptime(grpc::CallbackServerContext* ctx,
                                           const v1::BatchGetUptimeRequest* req,
                                           v1::BatchGetUptimeResponse* resp) override;
  grpc::ServerUnaryReactor* ListUptime(grpc::CallbackServerContext* ctx,
                                       const v1::ListUptimeRequest* req,
                                       v1::ListUptimeResponse* resp) override;
  grpc::ServerUnaryReactor* ListIncidents(grpc::CallbackServerContext* ctx,
                                          const v1::ListIncidentsRequest* req,
                                          v1::ListIncidentsResponse* resp) override;
  grpc::ServerWriteReactor<v1::Event>* WatchEvents(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchEventsRequest* req) override;

 private:
  // Runs `read` (a store query filling the response) on the reads pool and
  // finishes the call with its status; UNAVAILABLE at once when the pool is
  // saturated.
  grpc::ServerUnaryReactor* OffThread(grpc::CallbackServerContext* ctx,
                                      std::function<grpc::Status()> read);
  // OK for a monitor the tracker knows; INVALID_ARGUMENT / NOT_FOUND else.
  grpc::Status KnownMonitor(const std::string& monitor_id) const;

  const TokenAuthorizer* const auth_;
  Clock* const clock_;
  StatusTracker* const tracker_;
  AgentManager* const agents_;
  EventBus* const events_;
  store::ResultStore* const results_;
  store::IncidentStore* const incidents_;
  WorkerPool* const reads_;
  const UptimeCache* const uptime_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_STATUS_SERVICE_H_
