// Validation of notification channels coming from outside (API calls, YAML),
// without any registry state: shared by the coordinator's ChannelRegistry
// and by uptimectl, which checks files before sending them.
//
// What needs the other channels (a name already taken) is the registry's
// business, not this file's.
//
// Example:
//   RETURN_IF_ERROR(ValidateChannel(channel, notifier_registry));
#ifndef UPTIME_COORDINATOR_CATALOG_CHANNEL_VALIDATION_H_
#define UPTIME_COORDINATOR_CATALOG_CHANNEL_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "coordinator/notifiers/notifier.h"
#include "uptime/v1/notification.pb.h"

namespace uptime::coordinator {

inline constexpr size_t kMaxChannelNameChars = 200;

// Checks every user-settable field of `channel`: name (1..200 characters,
// not blank), labels (as for monitors), type (registered in `notifiers`) and
// the type's config. id and times are ignored. INVALID_ARGUMENT naming the
// field: "channel.name: ...", "channel.labels: ...", "channel.type: ...",
// "channel.config.<key>: ...".
absl::Status ValidateChannel(const v1::Channel& channel,
                             const notifiers::NotifierRegistry& notifiers);

// A notifier factory's error about a config ("config.<key>: ...") with the
// field named as in the API ("channel.config.<key>: ...").
absl::Status ChannelConfigError(const absl::Status& factory_error);

// A uptime.v1.Channel config map as a NotifierConfig.
notifiers::NotifierConfig ToNotifierConfig(const v1::Channel& channel);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_CHANNEL_VALIDATION_H_
