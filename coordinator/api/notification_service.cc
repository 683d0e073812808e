#include "coordinator/api/notification_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/api/monitor_service.h"
#include "coordinator/notifiers/alert.h"

namespace uptime::coordinator {
NotificationServiceImpl::NotificationServiceImpl(const TokenAuthorizer* auth,
                                                 ChannelRegistry* channels, Clock* clock,
                                                 std::string dashboard_base_url)
    : auth_(auth),
      channels_(channels),
      clock_(clock),
      dashboard_base_url_(std::move(dashboard_base_url)) {}

grpc::ServerUnaryReactor* NotificationServiceImpl::CreateChannel(
    grpc::CallbackServerContext* ctx, const v1::CreateChannelRequest* req, v1::Channel* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kAdmin);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (!req->has_channel()) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "channel: is required"));
  }
  absl::StatusOr<v1::Channel> created = channels_->Create(req->channel(), *who);
  if (!created.ok()) return FinishWith(ctx, ToGrpcStatus(created.status()));
  *resp = *std::move(created);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* NotificationServiceImpl::GetChannel(grpc::CallbackServerContext* ctx,
                                                              const v1::GetChannelRequest* req,
                                                              v1::Channel* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<v1::Channel> channel = channels_->Get(req->id());
  if (!channel.ok()) return FinishWith(ctx, ToGrpcStatus(channel.status()));
  *resp = *std::move(channel);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ListChannels(
    grpc::CallbackServerContext* ctx, const v1::ListChannelsRequest* req,
    v1::ListChannelsResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  absl::StatusOr<LabelSelector> selector =
      LabelSelector::Parse("label_selector", req->label_selector());
  if (!selector.ok()) return FinishWith(ctx, ToGrpcStatus(selector.status()));
  absl::StatusOr<ChannelPage> page = channels_->List(*selector, *page_size, req->page_token());
  if (!page.ok()) return FinishWith(ctx, ToGrpcStatus(page.status()));
  for (v1::Channel& c : page->channels) *resp->add_channels() = std::move(c);
  resp->set_next_page_token(page->next_page_token);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* NotificationServiceImpl::UpdateChannel(
    grpc::CallbackServerContext* ctx, const v1::UpdateChannelRequest* req, v1::Channel* resp) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kAdmin);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->channel().id(), "channel.id"); !s.ok()) {
    return FinishWith(ctx, s);
  }
  absl::StatusOr<v1::Channel> updated = channels_->Update(req->channel(), req->update_mask(), *who);
  if (!updated.ok()) return FinishWith(ctx, ToGrpcStatus(updated.status()));
  *resp = *std::move(updated);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* NotificationServiceImpl::DeleteChannel(
    grpc::CallbackServerContext* ctx, const v1::DeleteChannelRequest* req,
    google::protobuf::Empty*) {
  absl::StatusOr<v1::AuditEvent> who = AuthorizeChange(*auth_, *clock_, *ctx, Scope::kAdmin);
  if (!who.ok()) return FinishWith(ctx, ToGrpcStatus(who.status()));
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  return FinishWith(ctx, ToGrpcStatus(channels_->Delete(req->id(), *who)));
}

grpc::ServerUnaryReactor* NotificationServiceImpl::TestChannel(grpc::CallbackServerContext* ctx,
                                                               const v1::TestChannelRequest* req,
                                                               v1::TestChannelResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kAdmin); !s.ok()) return FinishWith(ctx, s);
  if (grpc::Status s = RequireId(req->id(), "id"); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<std::shared_ptr<notifiers::Notifier>> notifier = channels_->NotifierFor(req->id());
  if (!notifier.ok()) {
    if (absl::IsNotFound(notifier.status())) {
      return FinishWith(ctx, ToGrpcStatus(notifier.status()));
    }
    // The stored config no longer makes a notifier: a failed delivery, not a
    // failed call. Factory errors never contain secret values.
    resp->set_delivered(false);
    resp->set_error(std::string(notifier.status().message()));
    return FinishWith(ctx, grpc::Status::OK);
  }
  // Notifier status messages never contain secrets (notifier.h contract).
  const absl::Status sent =
      (*notifier)->Send(notifiers::MakeTestAlert(clock_->Now(), dashboard_base_url_));
  resp->set_delivered(sent.ok());
  if (!sent.ok()) {
    resp->set_error(absl::StrCat(absl::StatusCodeToString(sent.code()), ": ", sent.message()));
  }
  return FinishWith(ctx, grpc::Status::OK);
}

}  // namespace uptime::coordinator
