#include "coordinator/catalog/status_page_validation.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/field_error.h"
#include "common/labels.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "coordinator/catalog/monitor_validation.h"  // kMaxUrlBytes, as for monitors
#include "coordinator/notifiers/http_post.h"

namespace uptime::coordinator {
namespace {

constexpr size_t kMaxSlugChars = 63;
constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxDescriptionChars = 2000;
constexpr size_t kMaxGroupNameChars = 100;
constexpr size_t kMaxAnnouncementChars = 2000;

// Code points in `s` (the API promises characters, not bytes), or nullopt
// when `s` is not valid UTF-8.
std::optional<size_t> Utf8Chars(absl::string_view s) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++chars) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return std::nullopt;
    i += len;
  }
  return chars;
}

// Valid UTF-8 of at most `max_chars`; with `required`, not blank either.
absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max_chars,
                       bool required) {
  const std::optional<size_t> chars = Utf8Chars(value);
  if (!chars) return InvalidField(field, "is not valid UTF-8");
  if (required && absl::StripAsciiWhitespace(value).empty()) return InvalidField(field, "is required");
  if (*chars > max_chars) {
    return InvalidField(field, absl::StrCat("must be at most ", max_chars, " characters"));
  }
  return absl::OkStatus();
}

bool IsSlugEnd(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c); }

// ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ without a regex engine.
bool IsSlug(absl::string_view s) {
  if (s.empty() || s.size() > kMaxSlugChars) return false;
  if (!IsSlugEnd(s.front()) || !IsSlugEnd(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsSlugEnd(c) || c == '-'; });
}

// Empty, or an absolute http(s) URL. The page is public, so credentials in
// it would be published: refused.
absl::Status CheckOptionalUrl(absl::string_view field, const std::string& url) {
  if (url.empty()) return absl::OkStatus();
  if (url.size() > kMaxUrlBytes) {
    return InvalidField(field, absl::StrCat("must be at most ", kMaxUrlBytes, " bytes"));
  }
  // javascript:, data: and relative URLs must not reach a public page.
  absl::StatusOr<notifiers::UrlParts> parts = notifiers::ParseUrl(url);
  if (!parts.ok() || (parts->scheme != "http" && parts->scheme != "https")) {
    return InvalidField(field, "must be an absolute http:// or https:// URL");
  }
  if (parts->has_userinfo) return InvalidField(field, "must not contain credentials (user:password@)");
  return absl::OkStatus();
}

absl::Status CheckAnnouncement(const v1::Announcement& a) {
  // Empty text is allowed: it means "no announcement".
  RETURN_IF_ERROR(
      CheckText("status_page.announcement.text", a.text(), kMaxAnnouncementChars, false));
  if (!v1::AnnouncementLevel_IsValid(a.level())) {
    return InvalidField("status_page.announcement.level", absl::StrCat("unknown level ", a.level()));
  }
  if (a.has_expire_time()) {
    if (!IsValidTimestamp(a.expire_time())) {
      return InvalidField("status_page.announcement.expire_time", "is not a valid timestamp");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckGroup(const v1::StatusPageGroup& g, const std::string& prefix,
                        const std::function<bool(const std::string&)>& monitor_exists) {
  RETURN_IF_ERROR(CheckText(absl::StrCat(prefix, ".name"), g.name(), kMaxGroupNameChars, true));
  if (g.monitor_ids().empty() && g.label_selector().empty()) {
    return InvalidField(absl::StrCat(prefix, ".monitor_ids"),
                   "set monitor_ids or label_selector (or both) to say which monitors the group "
                   "shows");
  }
  if (g.monitor_ids_size() > kMaxStatusPageGroupIds) {
    return InvalidField(absl::StrCat(prefix, ".monitor_ids"),
                   absl::StrCat("at most ", kMaxStatusPageGroupIds, " ids (use label_selector)"));
  }
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < g.monitor_ids_size(); ++i) {
    const std::string& id = g.monitor_ids(i);
    const std::string field = absl::StrCat(prefix, ".monitor_ids[", i, "]");
    if (id.empty()) return InvalidField(field, "is empty");
    if (!Utf8Chars(id)) return InvalidField(field, "is not valid UTF-8");
    if (auto [it, added] = seen.emplace(id, i); !added) {
      return InvalidField(field, absl::StrCat("duplicate of monitor_ids[", it->second, "]"));
    }
    if (!monitor_exists(id)) {
      return InvalidField(field, absl::StrCat("unknown monitor '", id.substr(0, 64), "'"));
    }
  }
  if (!g.label_selector().empty()) {
    const std::string field = absl::StrCat(prefix, ".label_selector");
    if (!Utf8Chars(g.label_selector())) return InvalidField(field, "is not valid UTF-8");
    RETURN_IF_ERROR(LabelSelector::Parse(field, g.label_selector()).status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateStatusPage(const v1::StatusPage& page,
                                const std::function<bool(const std::string&)>& monitor_exists) {
  if (page.slug().empty()) return InvalidField("status_page.slug", "is required");
  if (!IsSlug(page.slug())) {
    return InvalidField("status_page.slug",
                   "must be 1..63 characters of a-z, 0-9 and '-', starting and ending with a "
                   "letter or digit");
  }
  RETURN_IF_ERROR(CheckText("status_page.title", page.title(), kMaxTitleChars, true));
  RETURN_IF_ERROR(
      CheckText("status_page.description", page.description(), kMaxDescriptionChars, false));
  RETURN_IF_ERROR(CheckOptionalUrl("status_page.logo_url", page.logo_url()));
  RETURN_IF_ERROR(CheckOptionalUrl("status_page.homepage_url", page.homepage_url()));
  RETURN_IF_ERROR(ValidateLabels("status_page.labels", page.labels()));
  if (page.groups().empty()) return InvalidField("status_page.groups", "at least one group is required");
  if (page.groups_size() > kMaxStatusPageGroups) {
    return InvalidField("status_page.groups", absl::StrCat("at most ", kMaxStatusPageGroups, " groups"));
  }
  for (int i = 0; i < page.groups_size(); ++i) {
    RETURN_IF_ERROR(
        CheckGroup(page.groups(i), absl::StrCat("status_page.groups[", i, "]"), monitor_exists));
  }
  if (page.has_announcement()) RETURN_IF_ERROR(CheckAnnouncement(page.announcement()));
  return absl::OkStatus();
}

}  // namespace uptime::coordinator
