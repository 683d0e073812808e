#include "gateway/static_files.h"

#include <cstdlib>
#include <string>
#include <vector>

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

bool AcceptsGzip(absl::string_view accept_encoding) {
  bool gzip = false, star = false;
  bool gzip_named = false;
  for (absl::string_view item : absl::StrSplit(accept_encoding, ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    absl::string_view coding = absl::StripAsciiWhitespace(parts[0]);
    bool allowed = true;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      if (absl::StartsWithIgnoreCase(param, "q=")) {
        // "q=0", "q=0.0", "q=0.000": refused; anything else is a preference.
        allowed = std::strtod(std::string(param.substr(2)).c_str(), nullptr) > 0;
      }
    }
    if (absl::EqualsIgnoreCase(coding, "gzip") || absl::EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_named = true;
      gzip = allowed;
    } else if (coding == "*") {
      star = allowed;
    }
  }
  return gzip_named ? gzip : star;
}

std::optional<HttpResponse> ServeAsset(absl::string_view path, absl::string_view if_none_match,
                                       absl::string_view accept_encoding) {
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
  const bool gzip = !asset->gzip_body.empty() && AcceptsGzip(accept_encoding);
  const std::string_view etag = gzip ? asset->gzip_etag : asset->etag;
  HttpResponse r;
  r.content_type = std::string(asset->content_type);
  if (!etag.empty()) r.headers.emplace_back("ETag", std::string(etag));
  r.headers.emplace_back("Cache-Control", asset->immutable
                                              ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  // Caches must not hand the gzip copy to a client that did not ask for it.
  if (!asset->gzip_body.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (EtagMatches(if_none_match, absl::string_view(etag.data(), etag.size()))) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.body = std::string(gzip ? asset->gzip_body : asset->body);
  return r;
#else
  (void)path;
  (void)if_none_match;
  (void)accept_encoding;
  return std::nullopt;
#endif
}

}  // namespace uptime::gateway
