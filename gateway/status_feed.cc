#include "gateway/status_feed.h"

#include "absl/strings/str_cat.h"
#include "common/utf8.h"

namespace uptime::gateway {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kGenerator[] = "Uptime Monitor";

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// RSS 2.0 dates are RFC 822 (with four-digit years, as RSS requires).
std::string Rfc822(absl::Time t) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", t, absl::UTCTimeZone());
}

// An element whose text is escaped; nothing when `text` is empty and
// `optional`, so readers do not show empty subtitles.
void AppendElement(std::string* out, absl::string_view name, const std::string& text,
                   bool optional = false) {
  if (optional && text.empty()) return;
  absl::StrAppend(out, "<", name, ">", XmlEscape(text), "</", name, ">");
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\t': case '\n': case '\r': out.push_back(static_cast<char>(c)); break;
        default:
          // XML 1.0 has no way to carry other control characters at all.
          if (c < 0x20 || c == 0x7f) {
            out += kReplacement;
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    // U+FFFE and U+FFFF are not XML characters either.
    absl::string_view seq(text.data() + i, n);
    if (seq == "\xEF\xBF\xBE" || seq == "\xEF\xBF\xBF") {
      out += kReplacement;
    } else {
      out.append(seq.data(), seq.size());
    }
    i += n;
  }
  return out;
}

std::string RenderAtomFeed(const Feed& feed) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)"
                    "\n"
                    R"(<feed xmlns="http://www.w3.org/2005/Atom">)";
  AppendElement(&out, "id", feed.id);
  AppendElement(&out, "title", feed.title);
  AppendElement(&out, "subtitle", feed.subtitle, /*optional=*/true);
  AppendElement(&out, "updated", Rfc3339(feed.updated));
  absl::StrAppend(&out, R"(<link rel="alternate" type="text/html" href=")",
                  XmlEscape(feed.page_url), R"("/>)");
  if (!feed.self_url.empty()) {
    absl::StrAppend(&out, R"(<link rel="self" type="application/atom+xml" href=")",
                    XmlEscape(feed.self_url), R"("/>)");
  }
  // Atom requires an author on the feed when entries have none.
  absl::StrAppend(&out, "<author><name>", XmlEscape(feed.title), "</name></author>");
  AppendElement(&out, "generator", kGenerator);
  for (const FeedEntry& entry : feed.entries) {
    out += "\n<entry>";
    AppendElement(&out, "id", entry.id);
    AppendElement(&out, "title", entry.title);
    AppendElement(&out, "published", Rfc3339(entry.published));
    AppendElement(&out, "updated", Rfc3339(entry.updated));
    if (!entry.link.empty()) {
      absl::StrAppend(&out, R"(<link rel="alternate" type="text/html" href=")",
                      XmlEscape(entry.link), R"("/>)");
    }
    AppendElement(&out, "summary", entry.summary, /*optional=*/true);
    out += "</entry>";
  }
  out += "\n</feed>\n";
  return out;
}

std::string RenderRssFeed(const Feed& feed) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)"
                    "\n"
                    R"(<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>)";
  AppendElement(&out, "title", feed.title);
  AppendElement(&out, "link", feed.page_url);
  // RSS requires a description; the title stands in for an empty subtitle.
  AppendElement(&out, "description", feed.subtitle.empty() ? feed.title : feed.subtitle);
  AppendElement(&out, "lastBuildDate", Rfc822(feed.updated));
  AppendElement(&out, "generator", kGenerator);
  if (!feed.self_url.empty()) {
    absl::StrAppend(&out, R"(<atom:link href=")", XmlEscape(feed.self_url),
                    R"(" rel="self" type="application/rss+xml"/>)");
  }
  for (const FeedEntry& entry : feed.entries) {
    out += "\n<item>";
    AppendElement(&out, "title", entry.title);
    AppendElement(&out, "link", entry.link, /*optional=*/true);
    AppendElement(&out, "description", entry.summary, /*optional=*/true);
    absl::StrAppend(&out, R"(<guid isPermaLink="false">)", XmlEscape(entry.id), "</guid>");
    AppendElement(&out, "pubDate", Rfc822(entry.updated));
    out += "</item>";
  }
  out += "\n</channel></rss>\n";
  return out;
}

}  // namespace uptime::gateway
