#include "gateway/static_files.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

#ifdef UPTIME_GATEWAY_HAS_WEB
#include "gateway/web/assets.h"
#endif

namespace uptime::gateway {

bool EtagMatches(absl::string_view if_none_match, absl::string_view etag) {
  if (etag.empty()) return false;
  for (absl::string_view tag : absl::StrSplit(if_none_match, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    if (tag == "*") return true;
    if (absl::StartsWith(tag, "W/")) tag.remove_prefix(2);
    absl::string_view ours = etag;
    if (absl::StartsWith(ours, "W/")) ours.remove_prefix(2);
    if (tag == ours) return true;
  }
  return false;
}

std::optional<HttpResponse> ServeAsset(absl::string_view path, absl::string_view if_none_match) {
#ifdef UPTIME_GATEWAY_HAS_WEB
  const web::Asset* asset = nullptr;
  if (path != "/") asset = web::FindAsset(std::string_view(path.data(), path.size()));
  if (asset == nullptr) {
    const size_t slash = path.rfind('/');
    const bool has_extension = path.substr(slash + 1).find('.') != absl::string_view::npos;
    if (has_extension) return std::nullopt;
    asset = web::FindAsset("/index.html");
    if (asset == nullptr) return std::nullopt;
  }
  HttpResponse r;
  r.content_type = std::string(asset->content_type);
  if (!asset->etag.empty()) r.headers.emplace_back("ETag", std::string(asset->etag));
  r.headers.emplace_back("Cache-Control", asset->immutable
                                              ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  if (EtagMatches(if_none_match, absl::string_view(asset->etag.data(), asset->etag.size()))) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.body = std::string(asset->body);
  return r;
#else
  (void)path;
  (void)if_none_match;
  return std::nullopt;
#endif
}

}  // namespace uptime::gateway
