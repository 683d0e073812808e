// The alert email: subject, plain-text and HTML bodies, and the RFC 5322 /
// MIME rendering the `email` notifier hands to SMTP. Pure functions, so the
// formatting is unit-tested without a mail server.
//
// Message shape:
//   From/To/Subject/Date/Message-ID/MIME-Version headers, plus
//   References: <incident.<dedup key>@<from domain>> so that mail clients
//   thread the DOWN, STILL DOWN and RECOVERED mails of one incident;
//   X-Uptime-Event: <kind>;
//   Content-Type: multipart/alternative with a text/plain and a text/html
//   part, both UTF-8 and base64 (causes quote arbitrary server output, whose
//   long lines and bytes 8-bit-unsafe relays would mangle).
#ifndef UPTIME_COORDINATOR_NOTIFIERS_EMAIL_MESSAGE_H_
#define UPTIME_COORDINATOR_NOTIFIERS_EMAIL_MESSAGE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/notifiers/alert.h"

namespace uptime::notifiers {

struct EmailContent {
  std::string subject;  // "[DOWN] api", "[RECOVERED] api", ...
  std::string text;     // plain text, '\n' line ends
  std::string html;     // a small self-contained HTML document
};

// "[DOWN] name", "[RECOVERED] name", "[STILL DOWN] name",
// "[TLS EXPIRING] name", "[TEST] Uptime Monitor"; a group:
// "[DOWN] 12 monitors".
std::string EmailSubject(const Alert& alert);

EmailContent BuildEmailContent(const Alert& alert);

struct MimeEnvelope {
  std::string from;
  std::vector<std::string> to;
  absl::Time date;
  std::string message_id;  // without angle brackets; unique per message
  std::string thread_id;   // without angle brackets; shared by an incident
  std::string event;       // X-Uptime-Event value
};

// The complete message (headers + multipart body) with CRLF line ends.
std::string RenderMime(const EmailContent& content, const MimeEnvelope& envelope);

// A Subject value safe for a header: control characters become spaces,
// non-ASCII text becomes RFC 2047 encoded words.
std::string EncodeHeaderValue(absl::string_view value);

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_EMAIL_MESSAGE_H_
