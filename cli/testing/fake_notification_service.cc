// FakeCoordinator's NotificationService (channels), and the test setters
// it serves.
#include "cli/testing/fake_coordinator.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "cli/testing/fake_service_responses.h"

namespace uptime::cli {

using fake_service_responses::Page;

class FakeCoordinator::Channels final : public v1::NotificationService::Service {
 public:
  explicit Channels(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateChannel(grpc::ServerContext* ctx, const v1::CreateChannelRequest* req,
                             v1::Channel* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::Channel channel = req->channel();
    if (channel.name().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "channel.name: is required");
    }
    channel.set_id(absl::StrFormat("ch-%016x", f_.next_id_++));
    channel.mutable_create_time()->set_seconds(1'700'000'000);
    f_.channels_[channel.id()] = channel;
    *resp = Redacted(channel);
    return grpc::Status::OK;
  }

  grpc::Status GetChannel(grpc::ServerContext* ctx, const v1::GetChannelRequest* req,
                          v1::Channel* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.channels_.find(req->id());
    if (it == f_.channels_.end()) return ChannelNotFound(req->id());
    *resp = Redacted(it->second);
    return grpc::Status::OK;
  }

  grpc::Status ListChannels(grpc::ServerContext* ctx, const v1::ListChannelsRequest* req,
                            v1::ListChannelsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    resp->set_next_page_token(
        Page(f_.channels_, req->page_token(), req->page_size(), f_.max_page_size_,
             [&](const v1::Channel& c) { *resp->add_channels() = Redacted(c); }));
    return grpc::Status::OK;
  }

  // The coordinator's rules: "name", "type", "config" (whole map; a secret
  // sent back as it was read, redacted, keeps its stored value).
  grpc::Status UpdateChannel(grpc::ServerContext* ctx, const v1::UpdateChannelRequest* req,
                             v1::Channel* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.channels_.find(req->channel().id());
    if (it == f_.channels_.end()) return ChannelNotFound(req->channel().id());
    const v1::Channel& current = it->second;
    v1::Channel updated = current;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        updated.set_name(req->channel().name());
      } else if (path == "type") {
        updated.set_type(req->channel().type());
      } else if (path == "config") {
        *updated.mutable_config() = req->channel().config();
      } else {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("update_mask: unknown field '", path, "'"));
      }
    }
    if (updated.type() == current.type()) {
      for (auto& [key, value] : *updated.mutable_config()) {
        auto old = current.config().find(key);
        if (old != current.config().end() && IsSecret(current.type(), key) &&
            value == Redact(old->second)) {
          value = old->second;
        }
      }
    }
    updated.mutable_update_time()->set_seconds(1'700'000'100);
    it->second = updated;
    *resp = Redacted(updated);
    return grpc::Status::OK;
  }

  grpc::Status DeleteChannel(grpc::ServerContext* ctx, const v1::DeleteChannelRequest* req,
                             google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (f_.channels_.erase(req->id()) == 0) return ChannelNotFound(req->id());
    return grpc::Status::OK;
  }

  grpc::Status TestChannel(grpc::ServerContext* ctx, const v1::TestChannelRequest* req,
                           v1::TestChannelResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (!f_.channels_.contains(req->id())) return ChannelNotFound(req->id());
    *resp = f_.test_channel_result_;
    return grpc::Status::OK;
  }

  static bool IsSecret(const std::string& type, const std::string& key) {
    return (type == "slack" && key == "webhook_url") || (type == "webhook" && key == "secret") ||
           (type == "pagerduty" && key == "routing_key") || (type == "email" && key == "password");
  }

  static std::string Redact(const std::string& secret) {
    return absl::StrCat("****", secret.size() > 4 ? secret.substr(secret.size() - 4) : "");
  }

  static v1::Channel Redacted(v1::Channel channel) {
    for (auto& [key, value] : *channel.mutable_config()) {
      if (IsSecret(channel.type(), key)) value = Redact(value);
    }
    return channel;
  }

 private:
  static grpc::Status ChannelNotFound(const std::string& id) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("channel '", id, "' not found"));
  }

  FakeCoordinator& f_;
};

void FakeCoordinator::AddChannel(v1::Channel channel) {
  absl::MutexLock lock(&mu_);
  channels_[channel.id()] = std::move(channel);
}

std::optional<v1::Channel> FakeCoordinator::FindChannel(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return std::nullopt;
  return it->second;
}

void FakeCoordinator::SetTestChannelResult(v1::TestChannelResponse response) {
  absl::MutexLock lock(&mu_);
  test_channel_result_ = std::move(response);
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewNotificationService(FakeCoordinator& fake) {
  return std::make_unique<Channels>(fake);
}

}  // namespace uptime::cli
