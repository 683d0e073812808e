// NotificationService: the gRPC adapter over the ChannelRegistry. Reads need
// the `read` scope; writes and TestChannel need `admin`.
//
// Thread-safety: thread-safe (the registry is). TestChannel sends on the
// gRPC callback thread and blocks it for at most the notifier timeout
// (NotifierDeps::timeout): test sends are rare, admin-only and the caller
// waits for the outcome anyway.
#ifndef UPTIME_COORDINATOR_API_NOTIFICATION_SERVICE_H_
#define UPTIME_COORDINATOR_API_NOTIFICATION_SERVICE_H_

#include <string>

#include "common/auth.h"
#include "common/clock.h"
#include "coordinator/catalog/channel_registry.h"
#include "uptime/v1/notification.grpc.pb.h"

namespace uptime::coordinator {

class NotificationServiceImpl final : public v1::NotificationService::CallbackService {
 public:
  // Not owned; all must outlive the service. `dashboard_base_url` goes into
  // test messages' links ("" for none).
  NotificationServiceImpl(const TokenAuthorizer* auth, ChannelRegistry* channels, Clock* clock,
                          std::string dashboard_base_url);

  grpc::ServerUnaryReactor* CreateChannel(grpc::CallbackServerContext* ctx,
                                          const v1::CreateChannelRequest* req,
                                          v1::Channel* resp) override;
  grpc::ServerUnaryReactor* GetChannel(grpc::CallbackServerContext* ctx,
                                       const v1::GetChannelRequest* req,
                                       v1::Channel* resp) override;
  grpc::ServerUnaryReactor* ListChannels(grpc::CallbackServerContext* ctx,
                                         const v1::ListChannelsRequest* req,
                                         v1::ListChannelsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateChannel(grpc::CallbackServerContext* ctx,
                                          const v1::UpdateChannelRequest* req,
                                          v1::Channel* resp) override;
  grpc::ServerUnaryReactor* DeleteChannel(grpc::CallbackServerContext* ctx,
                                          const v1::DeleteChannelRequest* req,
                                          google::protobuf::Empty* resp) override;
  grpc::ServerUnaryReactor* TestChannel(grpc::CallbackServerContext* ctx,
                                        const v1::TestChannelRequest* req,
                                        v1::TestChannelResponse* resp) override;

 private:
  const TokenAuthorizer* const auth_;
  ChannelRegistry* const channels_;
  Clock* const clock_;
  const std::string dashboard_base_url_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_API_NOTIFICATION_SERVICE_H_
