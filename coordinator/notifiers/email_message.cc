#include "coordinator/notifiers/email_message.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "coordinator/notifiers/json_writer.h"

namespace uptime::notifiers {
namespace {

constexpr size_t kMaxGroupLines = 50;

absl::string_view Tag(AlertKind kind) {
  switch (kind) {
    case AlertKind::kDown:
      return "[DOWN]";
    case AlertKind::kRecovered:
      return "[RECOVERED]";
    case AlertKind::kStillDown:
      return "[STILL DOWN]";
    case AlertKind::kTlsExpiring:
      return "[TLS EXPIRING]";
    case AlertKind::kTest:
      return "[TEST]";
  }
  return "[ALERT]";
}

std::string HtmlEscape(absl::string_view s) {
  return absl::StrReplaceAll(SanitizeUtf8(s), {{"&", "&amp;"},
                                               {"<", "&lt;"},
                                               {">", "&gt;"},
                                               {"\"", "&quot;"},
                                               {"'", "&#39;"}});
}

// Label/value rows shared by the text and HTML bodies.
std::vector<std::pair<std::string, std::string>> Rows(const Alert& a) {
  std::vector<std::pair<std::string, std::string>> rows;
  const bool down = a.kind == AlertKind::kDown || a.kind == AlertKind::kStillDown;
  if (!a.monitor.target.empty()) rows.emplace_back("Target", a.monitor.target);
  if (!a.cause.empty()) rows.emplace_back(a.kind == AlertKind::kTest ? "Note" : "Cause", a.cause);
  if (a.since != absl::InfinitePast()) {
    rows.emplace_back(down ? "Down since" : a.kind == AlertKind::kRecovered ? "Up since" : "Time",
                      FormatUtc(a.since));
  }
  if (a.duration > absl::ZeroDuration()) {
    rows.emplace_back(a.kind == AlertKind::kRecovered ? "Was down for" : "Down for",
                      HumanDuration(a.duration));
  }
  if (!a.locations.empty()) rows.emplace_back("Locations", absl::StrJoin(a.locations, ", "));
  if (a.tls_expiry != absl::InfinitePast()) {
    rows.emplace_back("Certificate expires", FormatUtc(a.tls_expiry));
  }
  if (!a.incident_id.empty()) rows.emplace_back("Incident", a.incident_id);
  return rows;
}

std::string MemberLine(const Alert& m) {
  std::string line = DisplayName(m.monitor);
  if (!m.monitor.target.empty()) absl::StrAppend(&line, " (", m.monitor.target, ")");
  if (!m.cause.empty()) absl::StrAppend(&line, ": ", m.cause);
  return line;
}

// Base64 in 76-character lines (RFC 2045).
std::string Base64Lines(absl::string_view data) {
  const std::string encoded = absl::Base64Escape(data);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    absl::StrAppend(&out, encoded.substr(i, 76), "\r\n");
  }
  return out;
}

// Header values must not carry CR or LF: a newline in a monitor name would
// otherwise add headers (or recipients) to the mail.
std::string OneLine(absl::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  return out;
}

}  // namespace

std::string EmailSubject(const Alert& alert) {
  if (alert.kind == AlertKind::kTest) return "[TEST] Uptime Monitor";
  if (!alert.group.empty()) {
    return absl::StrCat(Tag(alert.kind), " ", alert.group.size(), " monitors");
  }
  return absl::StrCat(Tag(alert.kind), " ", DisplayName(alert.monitor));
}

EmailContent BuildEmailContent(const Alert& alert) {
  EmailContent c;
  c.subject = EmailSubject(alert);
  const std::string headline = AlertHeadline(alert);
  const std::string link = DashboardLink(alert);
  std::string text = absl::StrCat(headline, "\n\n");
  std::string html = absl::StrCat(
      "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">\n<h2>",
      HtmlEscape(headline), "</h2>\n");
  if (!alert.group.empty()) {
    html += "<ul>\n";
    size_t shown = 0;
    for (; shown < alert.group.size() && shown < kMaxGroupLines; ++shown) {
      const std::string line = MemberLine(alert.group[shown]);
      absl::StrAppend(&text, "- ", line, "\n");
      absl::StrAppend(&html, "<li>", HtmlEscape(line), "</li>\n");
    }
    html += "</ul>\n";
    if (shown < alert.group.size()) {
      const size_t more = alert.group.size() - shown;
      absl::StrAppend(&text, "...and ", more, " more\n");
      absl::StrAppend(&html, "<p>...and ", more, " more</p>\n");
    }
  } else {
    html += "<table>\n";
    for (const auto& [label, value] : Rows(alert)) {
      absl::StrAppend(&text, label, ": ", value, "\n");
      absl::StrAppend(&html, "<tr><th align=\"left\">", HtmlEscape(label), "</th><td>",
                      HtmlEscape(value), "</td></tr>\n");
    }
    html += "</table>\n";
  }
  if (!link.empty()) {
    absl::StrAppend(&text, "\nDashboard: ", link, "\n");
    absl::StrAppend(&html, "<p><a href=\"", HtmlEscape(link), "\">Open dashboard</a></p>\n");
  }
  text += "\n-- \nUptime Monitor\n";
  html += "</body></html>\n";
  c.text = SanitizeUtf8(text);
  c.html = std::move(html);
  return c;
}

std::string EncodeHeaderValue(absl::string_view value) {
  const std::string clean = OneLine(SanitizeUtf8(value));
  bool ascii = true;
  for (char ch : clean) ascii = ascii && static_cast<unsigned char>(ch) < 0x80;
  if (ascii) return clean;
  // Encoded words of at most 45 bytes (60 base64 chars, 72 with framing),
  // split on character boundaries as RFC 2047 requires.
  std::vector<std::string> words;
  size_t start = 0;
  while (start < clean.size()) {
    size_t end = std::min(clean.size(), start + 45);
    while (end < clean.size() && end > start &&
           (static_cast<unsigned char>(clean[end]) & 0xC0) == 0x80) {
      --end;
    }
    words.push_back(absl::StrCat("=?UTF-8?B?",
                                 absl::Base64Escape(clean.substr(start, end - start)), "?="));
    start = end;
  }
  return absl::StrJoin(words, "\r\n ");
}

std::string RenderMime(const EmailContent& content, const MimeEnvelope& envelope) {
  // "=_" cannot occur in base64 text, so the boundary never collides.
  const std::string boundary =
      absl::StrCat("=_uptime_", absl::ToUnixMicros(envelope.date));
  std::string m;
  absl::StrAppend(&m, "From: ", OneLine(envelope.from), "\r\n");
  absl::StrAppend(&m, "To: ", OneLine(absl::StrJoin(envelope.to, ", ")), "\r\n");
  absl::StrAppend(&m, "Subject: ", EncodeHeaderValue(content.subject), "\r\n");
  absl::StrAppend(
      &m, "Date: ",
      absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", envelope.date, absl::UTCTimeZone()),
      "\r\n");
  absl::StrAppend(&m, "Message-ID: <", OneLine(envelope.message_id), ">\r\n");
  if (!envelope.thread_id.empty()) {
    absl::StrAppend(&m, "References: <", OneLine(envelope.thread_id), ">\r\n");
    absl::StrAppend(&m, "In-Reply-To: <", OneLine(envelope.thread_id), ">\r\n");
  }
  if (!envelope.event.empty()) {
    absl::StrAppend(&m, "X-Uptime-Event: ", OneLine(envelope.event), "\r\n");
  }
  absl::StrAppend(&m, "MIME-Version: 1.0\r\n");
  absl::StrAppend(&m, "Content-Type: multipart/alternative; boundary=\"", boundary, "\"\r\n");
  absl::StrAppend(&m, "\r\n");
  absl::StrAppend(&m, "--", boundary, "\r\n");
  absl::StrAppend(&m, "Content-Type: text/plain; charset=UTF-8\r\n");
  absl::StrAppend(&m, "Content-Transfer-Encoding: base64\r\n\r\n");
  absl::StrAppend(&m, Base64Lines(content.text));
  absl::StrAppend(&m, "--", boundary, "\r\n");
  absl::StrAppend(&m, "Content-Type: text/html; charset=UTF-8\r\n");
  absl::StrAppend(&m, "Content-Transfer-Encoding: base64\r\n\r\n");
  absl::StrAppend(&m, Base64Lines(content.html));
  absl::StrAppend(&m, "--", boundary, "--\r\n");
  return m;
}

}  // namespace uptime::notifiers
