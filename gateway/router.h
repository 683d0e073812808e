// Router: a table from (method, path pattern) to a route id, in Google's API
// style: `{field}` matches one path segment (bound to a request field, dots
// allowed: `{monitor.id}`) and a segment may end in a custom verb
// (`/monitors/{id}:pause`).
//
// Example:
//   Router router;
//   router.Add(http::verb::post, "/api/v1/monitors/{id}:pause", kPause);
//   RouteMatch m = router.Match(http::verb::post, "/api/v1/monitors/m1:pause");
//   // m.route == kPause, m.params == {{"id", "m1"}}
//
// Thread-safety: Add() before use; Match() is const and thread-safe.
#ifndef UPTIME_GATEWAY_ROUTER_H_
#define UPTIME_GATEWAY_ROUTER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "boost/beast/http/verb.hpp"

namespace uptime::gateway {

struct RouteMatch {
  enum class Result { kFound, kNotFound, kMethodNotAllowed };
  Result result = Result::kNotFound;
  int route = -1;
  // Path parameters, percent-decoded, in pattern order.
  std::vector<std::pair<std::string, std::string>> params;
  // For kMethodNotAllowed: the methods the path does accept ("GET, POST").
  std::string allow;
};

class Router {
 public:
  // INVALID_ARGUMENT for a malformed pattern or a duplicate (method, pattern).
  absl::Status Add(boost::beast::http::verb method, absl::string_view pattern, int route);

  // `path` is the request target without its query string, still
  // percent-encoded (a parameter may contain an encoded '/').
  RouteMatch Match(boost::beast::http::verb method, absl::string_view path) const;

 private:
  struct Segment {
    bool is_param = false;
    std::string literal;  // the segment, for literals
    std::string param;    // the field name, for params
    std::string verb;     // custom verb after ':' (params only), or empty
  };
  struct Entry {
    boost::beast::http::verb method;
    std::string pattern;
    std::vector<Segment> segments;
    int route;
  };
  static bool MatchSegments(const Entry& entry, const std::vector<absl::string_view>& parts,
                            std::vector<std::pair<std::string, std::string>>* params);

  std::vector<Entry> entries_;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query
// strings). INVALID_ARGUMENT on a malformed escape.
absl::Status PercentDecode(absl::string_view in, bool plus_is_space, std::string* out);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_ROUTER_H_
