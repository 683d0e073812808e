// The web app's files, when the build includes gateway/web (the
// `uptime_gateway_web` target; UPTIME_GATEWAY_HAS_WEB is then defined).
//
// "/" and extension-less paths that are not assets (client-side routes such
// as /monitors/abc) get /index.html; a path with an extension that is not an
// asset is a 404. ETag / If-None-Match give 304s; text files go out gzipped
// to clients that accept it. Fingerprinted assets are
// cached for a year; index.html is revalidated every time.
#ifndef UPTIME_GATEWAY_STATIC_FILES_H_
#define UPTIME_GATEWAY_STATIC_FILES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "gateway/http_types.h"

namespace uptime::gateway {

// The response for GET `path`, or nullopt for a 404 (also when the web app
// is not built in).
// With `accept_encoding` allowing gzip, a file's gzip copy (made at build
// time) is sent with `Content-Encoding: gzip` and its own ETag; responses of
// files that have one carry `Vary: Accept-Encoding` either way.
std::optional<HttpResponse> ServeAsset(absl::string_view path, absl::string_view if_none_match,
                                       absl::string_view accept_encoding = "");

// True when an Accept-Encoding header value accepts gzip ("gzip" or "*"
// without q=0).
bool AcceptsGzip(absl::string_view accept_encoding);

// True when `if_none_match` (a header value: "*", or a list of possibly weak
// entity tags) matches `etag`.
bool EtagMatches(absl::string_view if_none_match, absl::string_view etag);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_STATIC_FILES_H_
