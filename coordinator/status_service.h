// StatusService: live status from the StatusTracker, and the WatchEvents
// stream from the EventBus.
#ifndef UPTIME_COORDINATOR_STATUS_SERVICE_H_
#define UPTIME_COORDINATOR_STATUS_SERVICE_H_

#include "common/auth.h"
#include "coordinator/agent_manager.h"
#include "coordinator/event_bus.h"
#include "coordinator/status_tracker.h"
#include "store/incident_store.h"
#include "store/result_store.h"
#include "uptime/v1/status.grpc.pb.h"

namespace uptime::coordinator {

class StatusServiceImpl final : public v1::StatusService::CallbackService {
 public:
  StatusServiceImpl(const TokenAuthorizer* auth, Clock* clock, StatusTracker* tracker,
                    AgentManager* agents, EventBus* events, store::ResultStore* results,
                    store::IncidentStore* incidents);

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
  grpc::ServerUnaryReactor* ListIncidents(grpc::CallbackServerContext* ctx,
                                          const v1::ListIncidentsRequest* req,
                                          v1::ListIncidentsResponse* resp) override;
  grpc::ServerWriteReactor<v1::Event>* WatchEvents(grpc::CallbackServerContext* ctx,
                                                   const v1::WatchEventsRequest* req) override;

 private:
  // OK for a monitor the tracker knows; INVALID_ARGUMENT / NOT_FOUND else.
  grpc::Status KnownMonitor(const std::string& monitor_id) const;

  const TokenAuthorizer* const auth_;
  Clock* const clock_;
  StatusTracker* const tracker_;
  AgentManager* const agents_;
  EventBus* const events_;
  store::ResultStore* const results_;
  store::IncidentStore* const incidents_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_STATUS_SERVICE_H_
