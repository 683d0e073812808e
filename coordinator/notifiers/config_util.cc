#include "coordinator/notifiers/config_util.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "coordinator/notifiers/http_post.h"

namespace uptime::notifiers {

absl::Status ConfigError(absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("config.", key, ": ", what));
}

absl::Status CheckKnownKeys(const NotifierConfig& config,
                            std::initializer_list<absl::string_view> allowed) {
  for (const auto& [key, value] : config) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      // Keys are not secret, but clip them: they come from API users.
      return ConfigError(key.substr(0, 64),
                         absl::StrCat("unknown key (known: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

std::string Get(const NotifierConfig& config, absl::string_view key) {
  auto it = config.find(std::string(key));
  return it == config.end() ? "" : it->second;
}

absl::Status RequireKey(const NotifierConfig& config, absl::string_view key) {
  if (absl::StripAsciiWhitespace(Get(config, key)).empty()) return ConfigError(key, "required");
  return absl::OkStatus();
}

absl::Status ValidateHttpUrl(absl::string_view key, absl::string_view url, UrlRule rule) {
  if (url.empty()) return ConfigError(key, "required");
  absl::StatusOr<UrlParts> parts = ParseUrl(url);
  if (!parts.ok()) return ConfigError(key, parts.status().message());
  if (parts->has_userinfo) {
    return ConfigError(key, "must not contain credentials (user:password@)");
  }
  if (parts->scheme == "https") return absl::OkStatus();
  if (parts->scheme == "http") {
    if (rule == UrlRule::kHttpOrHttps || IsLoopbackHost(parts->host)) return absl::OkStatus();
    return ConfigError(key, "must be an https:// URL (http:// only to a loopback host)");
  }
  return ConfigError(key, rule == UrlRule::kHttpOrHttps ? "must be an http:// or https:// URL"
                                                        : "must be an https:// URL");
}

std::vector<std::string> SplitList(absl::string_view value) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

bool IsPlausibleEmail(absl::string_view address) {
  const size_t at = address.find('@');
  if (at == absl::string_view::npos || at == 0 || at + 1 >= address.size()) return false;
  if (address.find('@', at + 1) != absl::string_view::npos) return false;
  return std::all_of(address.begin(), address.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != ',' && c != '"';
  });
}

}  // namespace uptime::notifiers
