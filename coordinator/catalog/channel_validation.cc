#include "coordinator/catalog/channel_validation.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "coordinator/catalog/monitor_validation.h"

namespace uptime::coordinator {
notifiers::NotifierConfig ToNotifierConfig(const v1::Channel& channel) {
  return notifiers::NotifierConfig(channel.config().begin(), channel.config().end());
}

absl::Status ChannelConfigError(const absl::Status& s) {
  absl::string_view msg = s.message();
  if (absl::StartsWith(msg, "config.") || absl::StartsWith(msg, "config:")) {
    return absl::Status(s.code(), absl::StrCat("channel.", msg));
  }
  return absl::Status(s.code(), absl::StrCat("channel.config: ", msg));
}

absl::Status ValidateChannel(const v1::Channel& channel,
                             const notifiers::NotifierRegistry& notifiers) {
  const std::string& name = channel.name();
  if (absl::StripAsciiWhitespace(name).empty()) {
    return absl::InvalidArgumentError("channel.name: is required");
  }
  if (Utf8Length(name) > kMaxChannelNameChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("channel.name: must be at most ", kMaxChannelNameChars, " characters"));
  }
  RETURN_IF_ERROR(ValidateLabels("channel.labels", channel.labels()));
  if (channel.type().empty()) return absl::InvalidArgumentError("channel.type: is required");
  const notifiers::NotifierFactory* factory = notifiers.Find(channel.type());
  if (factory == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("channel.type: unknown notifier type '", channel.type().substr(0, 64),
                     "' (known: ", absl::StrJoin(notifiers.names(), ", "), ")"));
  }
  if (absl::Status s = factory->ValidateConfig(ToNotifierConfig(channel)); !s.ok()) {
    return ChannelConfigError(s);
  }
  return absl::OkStatus();
}

}  // namespace uptime::coordinator
