// The dashboard's files (built by npm at build time), embedded in the binary.
//
// The gateway serves them as they are (or their gzip copy, made at build
// time, to clients that accept gzip): `/index.html` for the app's routes
// (client-side routing), and the content-hashed files under `/assets/` with a
// long-lived immutable cache policy.
//
// Example:
//   if (const web::Asset* a = web::FindAsset(target)) {
//     res.set(http::field::content_type, a->content_type);
//     res.set(http::field::etag, a->etag);
//     res.set(http::field::cache_control, a->immutable
//         ? "public, max-age=31536000, immutable" : "no-cache");
//     res.body() = a->body;
//   }
#ifndef UPTIME_GATEWAY_WEB_ASSETS_H_
#define UPTIME_GATEWAY_WEB_ASSETS_H_

#include <string_view>

namespace uptime::gateway::web {

struct Asset {
  std::string_view path;          // "/index.html", "/assets/app-3F9A1C2D.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;          // the file's bytes; static storage
  std::string_view etag;          // a quoted content hash, e.g. "\"9f86d081...\""
  bool immutable;                 // true for content-hashed names (cache forever)
  std::string_view gzip_body;     // the body gzip-compressed, or empty when not worth it
  std::string_view gzip_etag;     // the gzip copy's own entity tag
};

// The embedded file at `path` (absolute, no query string), or nullptr.
// Thread-safe: the table is constant.
const Asset* FindAsset(std::string_view path);

}  // namespace uptime::gateway::web

#endif  // UPTIME_GATEWAY_WEB_ASSETS_H_
