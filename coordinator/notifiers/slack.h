// `slack`: posts to a Slack incoming webhook as a Block Kit message.
//
// Config:
//   webhook_url  (required, secret) https://hooks.slack.com/services/...
//                (http:// only to a loopback host, for tests and relays)
//   channel      (optional) "#ops": override for legacy webhooks
//   username     (optional) sender name for legacy webhooks
//
// The message: a header "<emoji> <monitor> is DOWN", a section of fields
// (target, cause, since in UTC, how long, locations, TLS expiry), a context
// line with the incident id, and a dashboard button; plus the top-level
// `text` that Slack shows in notifications and clients without blocks. A
// grouped storm becomes one message listing the first monitors and
// "…and K more", so a shared outage does not flood the channel.
#ifndef UPTIME_COORDINATOR_NOTIFIERS_SLACK_H_
#define UPTIME_COORDINATOR_NOTIFIERS_SLACK_H_

#include <cstddef>
#include <memory>
#include <string>

#include "coordinator/notifiers/alert.h"
#include "coordinator/notifiers/notifier.h"

namespace uptime::notifiers {

struct SlackOptions {
  std::string channel;
  std::string username;
  // Group members listed by name before "…and K more".
  size_t max_group_lines = 10;
};

// The JSON body for `alert` (pure; unit-tested field by field).
std::string SlackPayload(const Alert& alert, const SlackOptions& options);

std::unique_ptr<NotifierFactory> MakeSlackFactory();

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_SLACK_H_
