// RegisterBuiltinNotifiers lives apart from notifier.cc so that the registry
// itself does not depend on every built-in (tests inject their own).
#include "coordinator/notifiers/email.h"
#include "coordinator/notifiers/notifier.h"
#include "coordinator/notifiers/pagerduty.h"
#include "coordinator/notifiers/slack.h"
#include "coordinator/notifiers/webhook.h"

namespace uptime::notifiers {

absl::Status RegisterBuiltinNotifiers(NotifierRegistry* registry) {
  for (auto* make : {&MakeSlackFactory, &MakeWebhookFactory, &MakePagerDutyFactory,
                     &MakeEmailFactory}) {
    if (absl::Status s = registry->Register(make()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace uptime::notifiers
