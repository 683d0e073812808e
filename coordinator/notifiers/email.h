// `email`: sends the alert (email_message.h) over SMTP with libcurl.
//
// Config:
//   url       (required) smtp://host[:port] or smtps://host[:port]
//   from      (required) sender address, e.g. uptime@example.com
//   to        (required) comma-separated recipient addresses
//   username  (optional) SMTP AUTH user
//   password  (optional, secret) SMTP AUTH password
//   starttls  (optional, smtp:// only) "required", "try" or "off". Default
//             "required", except "try" for a loopback host: a password must
//             not cross a network in clear text.
//
// Recipients the server refuses are skipped as long as one accepts (the
// others still get the alert; the refusal is not reported).
// Outcomes: SMTP 4xx replies and network errors are retryable; 5xx replies
// (e.g. a rejected recipient), failed authentication and a missing STARTTLS
// are permanent (FAILED_PRECONDITION): the channel needs fixing.
#ifndef UPTIME_COORDINATOR_NOTIFIERS_EMAIL_H_
#define UPTIME_COORDINATOR_NOTIFIERS_EMAIL_H_

#include <memory>

#include "coordinator/notifiers/notifier.h"

namespace uptime::notifiers {

std::unique_ptr<NotifierFactory> MakeEmailFactory();

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_EMAIL_H_
